// Watches every pod of a build for the whole test, so it can say how many distinct pods
// (uids) each step ever had: "exactly one pod per step" is checked against this.
import { Watch, type V1Pod } from '@kubernetes/client-node';
import type { Lab } from './lab.ts';

export class PodCensus {
  readonly uidsByName = new Map<string, Set<string>>();
  private abort: AbortController | null = null;

  static async start(lab: Lab, buildId: string): Promise<PodCensus> {
    const census = new PodCensus();
    census.abort = await new Watch(lab.kc).watch(
      `/api/v1/namespaces/${lab.namespace}/pods`,
      { labelSelector: `wharf-temporal/build-id=${buildId}` },
      (_type: string, pod: V1Pod) => {
        const name = pod.metadata?.name;
        const uid = pod.metadata?.uid;
        if (!name || !uid) return;
        if (!census.uidsByName.has(name)) census.uidsByName.set(name, new Set());
        census.uidsByName.get(name)!.add(uid);
      },
      () => {},
    );
    return census;
  }

  stop(): void {
    this.abort?.abort();
  }

  /** Pod name -> how many distinct pods had that name. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.uidsByName].map(([name, uids]) => [name, uids.size]));
  }
}
