// Reads a build's outcome the way the CLI shows it: the result of a finished build, or
// the live status of a running one.
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { buildStatusQuery, stepStatusQuery } from '../../workflows/queries.ts';
import { stepWorkflowId } from '../../workflows/stage.ts';
import type { BuildResult } from '../../workflows/types.ts';

export interface BuildOutcome {
  result: BuildResult | null;
  /** Why the build did not succeed, in one line; null on success or while running. */
  error: string | null;
  running: boolean;
}

export const EXIT_FAILED = 1;
export const EXIT_CANCELLED = 130;

/** The CLI's exit code for a finished build: 0 success, 130 cancelled, 1 anything else. */
export function exitCodeOf(outcome: BuildOutcome): number {
  if (outcome.result?.status === 'success') return 0;
  if (outcome.result?.status === 'cancelled') return EXIT_CANCELLED;
  return EXIT_FAILED;
}

/** Waits for the build to finish and reads its result (success, failure or cancellation). */
export async function awaitBuildOutcome(client: Client, buildId: string): Promise<BuildOutcome> {
  try {
    const result = (await client.workflow.getHandle(buildId).result()) as BuildResult;
    return { result, error: null, running: false };
  } catch (err) {
    const outcome = outcomeFromFailure(err);
    if (outcome.result === null && err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure) {
      // Cancelled builds leave their result in the memo.
      const memo = (await client.workflow.getHandle(buildId).describe()).memo as { result?: BuildResult } | undefined;
      outcome.result = memo?.result ?? null;
    }
    return { ...outcome, running: false };
  }
}

/** The current state: the live status query while running, the recorded outcome after. */
export async function readBuildOutcome(client: Client, buildId: string): Promise<BuildOutcome> {
  const handle = client.workflow.getHandle(buildId);
  const description = await handle.describe();
  if (description.status.name !== 'RUNNING') return awaitBuildOutcome(client, buildId);
  const result = await handle.query(buildStatusQuery);
  await addLiveDetails(client, result, Date.now());
  return { result, error: null, running: true };
}

/**
 * A workflow's clock stands still between its tasks: running parts get their elapsed
 * time from this clock, and running steps their phase from their own workflow.
 */
async function addLiveDetails(client: Client, result: BuildResult, now: number): Promise<void> {
  const elapsed = (part: { status: string; startedAt: number | null; durationMs: number }): void => {
    if (part.status === 'running' && part.startedAt !== null)
      part.durationMs = Math.max(part.durationMs, now - part.startedAt);
  };
  elapsed(result);
  await Promise.all(
    result.stages.flatMap((stage) => {
      elapsed(stage);
      return stage.steps
        .filter((step) => step.status === 'running')
        .map(async (step) => {
          elapsed(step);
          const status = await client.workflow
            .getHandle(stepWorkflowId(result.buildId, stage.name, step.name))
            .query(stepStatusQuery)
            .catch(() => null);
          if (status) step.phase = status.phase;
        });
    }),
  );
}

function outcomeFromFailure(err: unknown): Omit<BuildOutcome, 'running'> {
  if (!(err instanceof WorkflowFailedError)) throw err;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure || cause instanceof CancelledFailure) {
    return { result: (cause.details?.[0] as BuildResult | undefined) ?? null, error: cause.message };
  }
  return { result: null, error: cause?.message ?? err.message };
}
