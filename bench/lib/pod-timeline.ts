// When each pod of a build appeared, became ready and went away, as one watch on the API
// server sees it (for fan-out figures).
import { Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';

export interface PodTimes {
  added: number;
  ready: number | null;
  deleted: number | null;
}

export class PodTimeline {
  readonly pods = new Map<string, PodTimes>();
  private controller: AbortController | null = null;

  static async start(kc: KubeConfig, namespace: string, labelSelector: string): Promise<PodTimeline> {
    const timeline = new PodTimeline();
    timeline.controller = await new Watch(kc).watch(
      `/api/v1/namespaces/${namespace}/pods`,
      { labelSelector },
      (type: string, pod: V1Pod) => {
        const name = pod.metadata?.name ?? '';
        const now = Date.now();
        const times = timeline.pods.get(name) ?? { added: now, ready: null, deleted: null };
        if (times.ready === null && pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
          times.ready = now;
        if (type === 'DELETED') times.deleted = now;
        timeline.pods.set(name, times);
      },
      () => {},
    );
    return timeline;
  }

  /** First pod added -> last pod ready, over the pods whose names pass `match`; NaN if one never got ready. */
  fanOut(match: (name: string) => boolean): number {
    const times = [...this.pods.entries()].filter(([name]) => match(name)).map(([, t]) => t);
    if (!times.length || times.some((t) => t.ready === null)) return NaN;
    return Math.max(...times.map((t) => t.ready!)) - Math.min(...times.map((t) => t.added));
  }

  stop(): void {
    this.controller?.abort();
  }
}
