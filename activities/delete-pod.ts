// Deletes the step pod and waits until it is gone. Idempotent: a pod already gone is fine.
import type { DeletePodInput } from '../workflows/types.ts';
import { pause, type ActivityDeps } from './deps.ts';
import { kubernetesFailure } from './failures.ts';

export function deletePodActivity(deps: ActivityDeps) {
  return async function deletePod(input: DeletePodInput): Promise<void> {
    try {
      // Grace 0: the step is over (or cancelled) and its state is in the log store.
      await deps.pods.delete(input.name, { gracePeriodSeconds: 0 });
    } catch (err) {
      throw kubernetesFailure(err, `deleting pod ${input.name}`);
    }
    await pause(deps.pauseAfterMs?.deletePod);
    const timeout = AbortSignal.timeout(60_000);
    await deps.pods.waitFor(input.name, (pod) => (pod === null ? true : undefined), timeout);
  };
}
