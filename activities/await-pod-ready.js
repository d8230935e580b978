// Waits until the step pod's containers are ready (Kubernetes sends no "Ready" event:
// the shared pod watch reports status changes), heartbeating meanwhile. A pod that can
// never become ready (image pull failure, config error, terminated container) or that
// stays pending past its budget fails the step for good, saying which container and why.
import { cancellationSignal } from '@temporalio/activity';
import { podReadiness } from '../src/kube/pod-readiness.js';
import { permanentFailure } from './failures.js';
import { keepHeartbeating } from './heartbeat.js';
export function awaitPodReadyActivity(deps) {
    return async function awaitPodReady(input) {
        let detail = 'waiting for the pod';
        const stop = keepHeartbeating(() => detail);
        let deadline;
        const budget = new AbortController();
        try {
            const verdict = await deps.pods.waitFor(input.pod.name, (pod) => {
                if (pod === null)
                    return { fail: `pod ${input.pod.name} was deleted before it became ready`, type: 'PodGone' };
                if (pod.metadata?.uid !== input.pod.uid)
                    return { fail: `pod ${input.pod.name} was replaced by another pod`, type: 'PodGone' };
                const readiness = podReadiness(pod);
                if (readiness.state === 'ready')
                    return { ok: true, node: pod.spec?.nodeName };
                if (readiness.state === 'failed')
                    return { fail: readiness.message, type: readiness.reason };
                detail = readiness.detail;
                // The budget counts from the pod's creation, so a retried attempt does not reset it.
                if (deadline === undefined) {
                    const created = pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).getTime() : Date.now();
                    const left = created + input.pendingSeconds * 1000 - Date.now();
                    deadline = setTimeout(() => budget.abort(), Math.max(0, left));
                }
                return undefined;
            }, AbortSignal.any([cancellationSignal(), budget.signal])).catch((err) => {
                if (budget.signal.aborted && !cancellationSignal().aborted) {
                    return { fail: `pod ${input.pod.name} not ready after ${input.pendingSeconds}s: ${detail}`, type: 'PodPendingTimeout' };
                }
                throw err;
            });
            if ('fail' in verdict)
                throw permanentFailure(verdict.fail, verdict.type);
            if (input.log) {
                deps.logs.openWriter(input.log).write('sys', [{ text: `pod ${input.pod.name} ready${verdict.node ? ` on ${verdict.node}` : ''}` }]);
            }
        }
        finally {
            clearTimeout(deadline);
            stop();
        }
    };
}
