// Watches every pod of a build for the whole test, so it can say how many distinct pods
// (uids) each step ever had: "exactly one pod per step" is checked against this. A list
// every half second backs the watch up, should it go quiet on a busy machine.
import { Watch, type V1Pod } from '@kubernetes/client-node';
import type { Lab } from './lab.ts';

export class PodCensus {
  readonly uidsByName = new Map<string, Set<string>>();
  /** Pod name -> the node it was scheduled on. */
  readonly nodes = new Map<string, string>();
  private abort: AbortController | null = null;
  private poll: NodeJS.Timeout | null = null;

  static async start(lab: Lab, buildId: string): Promise<PodCensus> {
    const census = new PodCensus();
    const labelSelector = `wharf-temporal/build-id=${buildId}`;
    census.abort = await new Watch(lab.kc).watch(
      `/api/v1/namespaces/${lab.namespace}/pods`,
      { labelSelector },
      (_type: string, pod: V1Pod) => census.see(pod),
      () => {},
    );
    census.poll = setInterval(() => {
      lab.core.listNamespacedPod({ namespace: lab.namespace, labelSelector }).then(
        (list) => list.items.forEach((pod) => census.see(pod)),
        () => {},
      );
    }, 500);
    return census;
  }

  private see(pod: V1Pod): void {
    const name = pod.metadata?.name;
    const uid = pod.metadata?.uid;
    if (!name || !uid) return;
    if (!this.uidsByName.has(name)) this.uidsByName.set(name, new Set());
    this.uidsByName.get(name)!.add(uid);
    if (pod.spec?.nodeName) this.nodes.set(name, pod.spec.nodeName);
  }

  stop(): void {
    this.abort?.abort();
    if (this.poll) clearInterval(this.poll);
  }

  /** Pod name -> how many distinct pods had that name. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.uidsByName].map(([name, uids]) => [name, uids.size]));
  }
}
