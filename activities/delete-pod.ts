// Deletes the step pod and waits until it is gone. Idempotent: a pod already gone is fine.
// Only the step's own pod: by the uid it was created with (a precondition the API server
// checks), or, when its creation was never confirmed, only a pod carrying the step's
// identity labels. A pod of that name that belongs to someone else is left alone.
import { isConflict } from '../src/kube/api-error.ts';
import { IDENTITY_LABELS } from '../src/pod/labels.ts';
import type { DeletePodInput } from '../workflows/types.ts';
import { pause, type ActivityDeps } from './deps.ts';
import { kubernetesFailure } from './failures.ts';

export function deletePodActivity(deps: ActivityDeps) {
  return async function deletePod(input: DeletePodInput): Promise<void> {
    let uid = input.uid;
    if (uid === undefined && input.labels) {
      const existing = await deps.pods.get(input.name).catch((err: unknown) => {
        throw kubernetesFailure(err, `reading pod ${input.name}`);
      });
      if (!existing) return;
      if (IDENTITY_LABELS.some((l) => existing.metadata?.labels?.[l] !== input.labels?.[l])) return; // not this step's pod
      uid = existing.metadata?.uid;
    }
    try {
      // Grace 0: the step is over (or cancelled) and its state is in the log store.
      await deps.pods.delete(input.name, { gracePeriodSeconds: 0, uid });
    } catch (err) {
      // The uid precondition failed: the pod of that name is another one; ours is gone.
      if (uid !== undefined && isConflict(err)) return;
      throw kubernetesFailure(err, `deleting pod ${input.name}`);
    }
    await pause(deps.pauseAfterMs?.deletePod);
    const timeout = AbortSignal.timeout(60_000);
    await deps.pods.waitFor(
      input.name,
      (pod) => (pod === null || (uid !== undefined && pod.metadata?.uid !== uid) ? true : undefined),
      timeout,
    );
  };
}
