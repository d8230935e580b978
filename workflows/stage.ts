// Stage orchestration: every step of a stage as a child workflow, all in parallel. The
// first failure cancels the other steps (fail-fast); each child cleans up its own pod.
import { CancellationScope, executeChild, isCancellation, ParentClosePolicy, workflowInfo } from '@temporalio/workflow';
import { boundId, clipBytes, PayloadLimits } from '../src/limits/payload-bytes.ts';
import type { StagePlan } from '../src/plan/build-plan.ts';
import { failureDetail, failureMessage } from './failure-message.ts';
import { boundStepResult } from './payload-limits.ts';
import { stepWorkflow } from './step.ts';
import type { BuildWorkflowInput, StageResult, StepPlan, StepResult } from './types.ts';

/** A step's child workflow id; a long one is cut and hashed (an id over the limit would never start). */
export function stepWorkflowId(buildId: string, stage: string, step: string): string {
  return boundId(`${buildId}.${stage}.${step}`);
}

/**
 * Runs the stage, filling in `view` as steps finish. `bounded`: the build's decision on
 * BOUNDED_PAYLOADS (a run that passes the build's baseline never asks that patch).
 */
export async function runStage(
  input: BuildWorkflowInput,
  stage: StagePlan,
  view: StageResult,
  bounded: boolean,
): Promise<void> {
  view.status = 'running';
  view.startedAt = Date.now();
  const scope = new CancellationScope();
  let failed = false;
  await Promise.all(
    stage.steps.map(async (step, index) => {
      view.steps[index] = { ...view.steps[index]!, status: 'running', startedAt: Date.now() };
      const result = await runStep(input, stage.name, step, scope);
      view.steps[index] = bounded ? boundStepResult(result) : result;
      if (result.status === 'failed' && !failed) {
        failed = true;
        scope.cancel();
      }
    }),
  );
  view.durationMs = Date.now() - view.startedAt;
  const statuses = view.steps.map((s) => s.status);
  view.status = statuses.includes('failed') ? 'failed' : statuses.includes('cancelled') ? 'cancelled' : 'success';
}

async function runStep(
  input: BuildWorkflowInput,
  stage: string,
  step: StepPlan,
  scope: CancellationScope,
): Promise<StepResult> {
  const startedAt = Date.now();
  try {
    return await scope.run(() =>
      executeChild(stepWorkflow, {
        args: [{ buildId: input.buildId, stage, step, source: input.source, timeouts: input.timeouts }],
        workflowId: stepWorkflowId(input.buildId, stage, step.name),
        taskQueue: workflowInfo().taskQueue,
        // A terminated build still cancels its steps, so their pods are deleted.
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        staticSummary: clipBytes(`${stage}/${step.name} (${step.type})`, PayloadLimits.labelBytes),
      }),
    );
  } catch (err) {
    const base: StepResult = {
      name: step.name,
      type: step.type,
      status: 'failed',
      startedAt,
      durationMs: Date.now() - startedAt,
      error: null,
      exitCode: null,
      logTail: [],
    };
    if (isCancellation(err)) return { ...base, status: 'cancelled', error: 'cancelled' };
    const detail = failureDetail<StepResult>(err);
    return detail ? { ...detail, status: 'failed' } : { ...base, error: failureMessage(err) };
  }
}
