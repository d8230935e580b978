// Reads a build's outcome the way the CLI shows it: the result of a finished build, or
// the live status of a running one.
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { buildStatusQuery, stepStatusQuery } from '../../workflows/queries.js';
import { stepWorkflowId } from '../../workflows/stage.js';
export const EXIT_FAILED = 1;
export const EXIT_CANCELLED = 130;
/** The CLI's exit code for a finished build: 0 success, 130 cancelled, 1 anything else. */
export function exitCodeOf(outcome) {
    if (outcome.result?.status === 'success')
        return 0;
    if (outcome.result?.status === 'cancelled')
        return EXIT_CANCELLED;
    return EXIT_FAILED;
}
/** Waits for the build to finish and reads its result (success, failure or cancellation). */
export async function awaitBuildOutcome(client, buildId) {
    try {
        const result = (await client.workflow.getHandle(buildId).result());
        return { result, error: null, running: false };
    }
    catch (err) {
        const outcome = outcomeFromFailure(err);
        if (outcome.result === null && err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure) {
            // Cancelled builds leave their result in the memo.
            const memo = (await client.workflow.getHandle(buildId).describe()).memo;
            outcome.result = memo?.result ?? null;
        }
        return { ...outcome, running: false };
    }
}
/** The current state: the live status query while running, the recorded outcome after. */
export async function readBuildOutcome(client, buildId) {
    const handle = client.workflow.getHandle(buildId);
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING')
        return awaitBuildOutcome(client, buildId);
    const result = await handle.query(buildStatusQuery);
    await addLiveDetails(client, result, Date.now());
    return { result, error: null, running: true };
}
/**
 * A workflow's clock stands still between its tasks: running parts get their elapsed
 * time from this clock, and running steps their phase from their own workflow.
 */
async function addLiveDetails(client, result, now) {
    const elapsed = (part) => {
        if (part.status === 'running' && part.startedAt !== null)
            part.durationMs = Math.max(part.durationMs, now - part.startedAt);
    };
    elapsed(result);
    await Promise.all(result.stages.flatMap((stage) => {
        elapsed(stage);
        return stage.steps.filter((step) => step.status === 'running').map(async (step) => {
            elapsed(step);
            const status = await client.workflow.getHandle(stepWorkflowId(result.buildId, stage.name, step.name)).query(stepStatusQuery).catch(() => null);
            if (status)
                step.phase = status.phase;
        });
    }));
}
function outcomeFromFailure(err) {
    if (!(err instanceof WorkflowFailedError))
        throw err;
    const cause = err.cause;
    if (cause instanceof ApplicationFailure || cause instanceof CancelledFailure) {
        return { result: cause.details?.[0] ?? null, error: cause.message };
    }
    return { result: null, error: cause?.message ?? err.message };
}
