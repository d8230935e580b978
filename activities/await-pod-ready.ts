// Waits until the step pod's containers are ready (Kubernetes sends no "Ready" event:
// the shared pod watch reports status changes), heartbeating meanwhile. A pod that can
// never become ready (image pull failure, config error, terminated container) or that
// stays pending past its budget fails the step for good, saying which container and why.
import { cancellationSignal } from '@temporalio/activity';
import type { V1Pod } from '@kubernetes/client-node';
import { podReadiness } from '../src/kube/pod-readiness.ts';
import type { AwaitPodReadyInput } from '../workflows/types.ts';
import type { ActivityDeps } from './deps.ts';
import { FailureType, permanentFailure } from './failures.ts';
import { keepHeartbeating } from './heartbeat.ts';
import { remark } from './remark.ts';

type Verdict = { ok: true; node: string | undefined } | { fail: string; type: string };

export function awaitPodReadyActivity(deps: ActivityDeps) {
  return async function awaitPodReady(input: AwaitPodReadyInput): Promise<void> {
    let detail = 'waiting for the pod';
    const stop = keepHeartbeating(() => detail);
    try {
      await waitUntilReady(deps, input, (d) => (detail = d));
    } finally {
      stop();
    }
  };
}

/**
 * Waits in the current activity until the pod is ready; fails for good when it never
 * can be. Also the first part of transferSource and runCommand when the step workflow
 * asks them to wait (one activity, one workflow task, less per step); the caller heartbeats.
 */
export async function waitUntilReady(
  deps: ActivityDeps,
  input: AwaitPodReadyInput,
  onDetail: (detail: string) => void = () => {},
): Promise<void> {
  let detail = 'waiting for the pod';
  let deadline: NodeJS.Timeout | undefined;
  const budget = new AbortController();
  try {
    const judge = (pod: V1Pod | null): Verdict | undefined => {
      if (pod === null)
        return { fail: `pod ${input.pod.name} was deleted before it became ready`, type: FailureType.PodGone };
      if (pod.metadata?.uid !== input.pod.uid)
        return { fail: `pod ${input.pod.name} was replaced by another pod`, type: FailureType.PodGone };
      const readiness = podReadiness(pod);
      if (readiness.state === 'ready') return { ok: true, node: pod.spec?.nodeName };
      if (readiness.state === 'failed') return { fail: readiness.message, type: readiness.reason };
      detail = readiness.detail;
      onDetail(detail);
      return undefined;
    };
    const verdict = await deps.pods
      .waitFor<Verdict>(
        input.pod.name,
        (pod: V1Pod | null): Verdict | undefined => {
          const verdict = judge(pod);
          // The budget counts from the pod's creation, so a retried attempt does not reset it.
          if (verdict === undefined && deadline === undefined && pod) {
            const created = pod.metadata?.creationTimestamp
              ? new Date(pod.metadata.creationTimestamp).getTime()
              : Date.now();
            const left = created + input.pendingSeconds * 1000 - Date.now();
            deadline = setTimeout(() => budget.abort(), Math.max(0, left));
          }
          return verdict;
        },
        AbortSignal.any([cancellationSignal(), budget.signal]),
      )
      .catch(async (err: unknown): Promise<Verdict> => {
        if (budget.signal.aborted && !cancellationSignal().aborted) {
          // Before calling it a timeout, the pod as the API server has it now: the watch
          // may have missed its news.
          const now = await deps.pods.get(input.pod.name).catch(() => undefined);
          const fresh = now === undefined ? undefined : judge(now);
          if (fresh) return fresh;
          return {
            fail: `pod ${input.pod.name} not ready after ${input.pendingSeconds}s: ${detail}`,
            type: FailureType.PodPendingTimeout,
          };
        }
        throw err;
      });
    if ('fail' in verdict) throw permanentFailure(verdict.fail, verdict.type);
    if (input.log) {
      await remark(deps, input.log, [`pod ${input.pod.name} ready${verdict.node ? ` on ${verdict.node}` : ''}`]);
    }
  } finally {
    clearTimeout(deadline);
  }
}
