import { pause } from './deps.js';
import { kubernetesFailure } from './failures.js';
export function deletePodActivity(deps) {
    return async function deletePod(input) {
        try {
            // Grace 0: the step is over (or cancelled) and its state is in the log store.
            await deps.pods.delete(input.name, { gracePeriodSeconds: 0 });
        }
        catch (err) {
            throw kubernetesFailure(err, `deleting pod ${input.name}`);
        }
        await pause(deps.pauseAfterMs?.deletePod);
        const timeout = AbortSignal.timeout(60_000);
        await deps.pods.waitFor(input.name, (pod) => (pod === null ? true : undefined), timeout);
    };
}
