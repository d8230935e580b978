// The step child workflow: one pod through its life. The step pod manager of the
// design notes: create the pod, wait until it is ready, put the source in, run the
// command, and delete the pod whatever happened (in a scope cancellation cannot stop).
import { ApplicationFailure, CancellationScope, CancelledFailure, isCancellation, proxyActivities, proxyLocalActivities, setCurrentDetails, setHandler, } from '@temporalio/workflow';
import { failureMessage, timeoutOf } from './failure-message.js';
import { stepStatusQuery } from './queries.js';
// Pod creation and deletion are short API calls: as local activities they cost one
// history event each instead of six (the budget is 40 events per step).
const quick = proxyLocalActivities({
    startToCloseTimeout: '90 seconds',
    scheduleToCloseTimeout: '10 minutes',
    retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});
export async function stepWorkflow(input) {
    const { step, timeouts } = input;
    const heartbeatTimeout = `${timeouts.heartbeatSeconds} seconds`;
    const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds' };
    const waiting = proxyActivities({
        startToCloseTimeout: `${timeouts.pendingSeconds + 60} seconds`, heartbeatTimeout, retry: { ...retry, maximumAttempts: 10 },
    });
    const transfer = proxyActivities({
        startToCloseTimeout: '30 minutes', heartbeatTimeout, retry: { ...retry, maximumAttempts: 10 },
    });
    // Retrying the command re-attaches to it (it runs once); the whole run has one budget.
    const running = proxyActivities({ scheduleToCloseTimeout: `${timeouts.runSeconds} seconds`, heartbeatTimeout, retry });
    const startedAt = Date.now();
    const podName = step.pod.metadata?.name ?? '';
    let phase = 'creating-pod';
    const enter = (next) => {
        phase = next;
        setCurrentDetails(`**${input.stage}/${step.name}** (${step.type}): ${next}, pod \`${podName}\``);
    };
    setHandler(stepStatusQuery, () => ({ phase, pod: podName }));
    enter('creating-pod');
    const result = {
        name: step.name, type: step.type, status: 'running', startedAt, durationMs: 0, error: null, exitCode: null, logTail: [],
    };
    let cancellation = null;
    try {
        const log = { buildId: input.buildId, stage: input.stage, step: step.name };
        const pod = await quick.createPod({ pod: step.pod, log });
        enter('waiting-for-pod');
        await waiting.awaitPodReady({ pod, pendingSeconds: timeouts.pendingSeconds, log });
        if (step.source && input.source.kind !== 'none') {
            enter('transferring-source');
            const { container, path, onlyFiles, variables } = step.source;
            await transfer.transferSource({ pod, container, path, source: input.source, onlyFiles, variables, log });
        }
        enter('running');
        const outcome = await running.runCommand({
            buildId: input.buildId, stage: input.stage, step: step.name, pod,
            container: step.exec.container, command: step.exec.command, shell: step.exec.shell, secrets: step.secrets, secretName: step.secretName,
        });
        result.exitCode = outcome.exitCode;
        result.logTail = outcome.logTail;
        result.status = outcome.exitCode === 0 ? 'success' : 'failed';
        if (outcome.exitCode !== 0)
            result.error = `command exited with code ${outcome.exitCode}`;
    }
    catch (err) {
        // Once the step is cancelled, whatever the activity reports (e.g. its command killed
        // with the pod) is the cancellation's doing.
        if (isCancellation(err) || CancellationScope.current().consideredCancelled) {
            cancellation = isCancellation(err) ? err : new CancelledFailure('step cancelled');
            result.status = 'cancelled';
        }
        else {
            result.status = 'failed';
            // The run's budget is one schedule-to-close timeout over all its attempts.
            result.error = phase === 'running' && timeoutOf(err) === 'SCHEDULE_TO_CLOSE'
                ? `the command ran longer than its budget of ${timeouts.runSeconds} s`
                : failureMessage(err);
        }
    }
    finally {
        enter('deleting-pod');
        await CancellationScope.nonCancellable(() => quick.deletePod({ name: podName }));
        enter('done');
    }
    result.durationMs = Date.now() - startedAt;
    if (cancellation)
        throw cancellation;
    if (result.status === 'failed') {
        throw ApplicationFailure.create({ message: result.error ?? 'step failed', type: 'StepFailed', nonRetryable: true, details: [result] });
    }
    return result;
}
