// Build orchestration: stages one after another, honouring each stage's `runs-if` and
// environment filter as Wharf does. The build's state answers the status query.
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  log,
  patched,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { StepActivities } from '../activities/index.ts';
import type { StagePlan } from '../src/plan/build-plan.ts';
import { BOUNDED_PAYLOADS, boundBuildResult } from './payload-limits.ts';
import { buildStatusQuery } from './queries.ts';
import { WharfBuildStatus } from './search-attributes.ts';
import { runStage } from './stage.ts';
import type { BuildResult, BuildWorkflowInput, RunStatus, StageResult, StepResult } from './types.ts';

/** The finished build records itself in the build store. */
export const RECORD_BUILD = 'record-build';

/** A run that passes this patch takes the path of BOUNDED_PAYLOADS and RECORD_BUILD (see STEP_BASELINE). */
export const BUILD_BASELINE = 'build-baseline-1';

export async function buildWorkflow(input: BuildWorkflowInput): Promise<BuildResult> {
  const startedAt = Date.now();
  const state: BuildResult = {
    buildId: input.buildId,
    environment: input.plan.environment,
    status: 'running',
    startedAt,
    durationMs: 0,
    stages: input.plan.stages.map(pendingStage),
  };
  // A new run passes one patch for all of the build's (see STEP_BASELINE); older runs theirs.
  const baseline = patched(BUILD_BASELINE);
  // Every payload made of the state (query answer, result, failure details, memo) within its byte budget.
  const bounded = baseline || patched(BOUNDED_PAYLOADS);
  const out = (result: BuildResult): BuildResult => (bounded ? boundBuildResult(result) : result);
  setHandler(buildStatusQuery, () =>
    out({ ...state, durationMs: state.status === 'running' ? Date.now() - startedAt : state.durationMs }),
  );

  let failed = false;
  for (const [index, stage] of input.plan.stages.entries()) {
    const view = state.stages[index]!;
    if (CancellationScope.current().consideredCancelled || !shouldRun(stage, input, failed)) {
      skip(view);
      continue;
    }
    describe(state);
    await runStage(input, stage, view, bounded);
    if (view.status === 'failed') failed = true;
  }

  const cancelled = CancellationScope.current().consideredCancelled;
  state.status = cancelled ? 'cancelled' : failed ? 'failed' : 'success';
  state.durationMs = Date.now() - startedAt;
  upsertSearchAttributes([{ key: WharfBuildStatus, value: state.status }]);
  describe(state);
  if (baseline || patched(RECORD_BUILD)) await recordBuild(state);
  if (state.status === 'cancelled') {
    // Ends the workflow as Canceled (not Failed) in Temporal. A cancelled workflow keeps no
    // result, so the outcome goes into the memo, where clients find it (without log tails).
    upsertMemo({
      result: out({
        ...state,
        stages: state.stages.map((s) => ({ ...s, steps: s.steps.map((st) => ({ ...st, logTail: [] })) })),
      }),
    });
    throw new CancelledFailure('build cancelled', [out(state)]);
  }
  if (state.status === 'failed') {
    throw ApplicationFailure.create({
      message: failureSummary(state),
      type: 'BuildFailed',
      nonRetryable: true,
      details: [out(state)],
    });
  }
  return out(state);
}

const store = proxyLocalActivities<StepActivities>({
  startToCloseTimeout: '30 seconds',
  // A store that is away holds the build's end this long at most; then the build ends
  // unrecorded (its logs are stored either way).
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** The finished build's record in the build store (no log tails: the lines are stored). */
async function recordBuild(state: BuildResult): Promise<void> {
  const info = workflowInfo();
  const memo = (info.memo ?? {}) as { repository?: unknown; branch?: unknown };
  try {
    // A cancelled build still records itself.
    await CancellationScope.nonCancellable(() =>
      store.recordBuild({
        buildId: state.buildId,
        workflowId: info.workflowId,
        runId: info.runId,
        repository: typeof memo.repository === 'string' ? memo.repository : '',
        branch: typeof memo.branch === 'string' ? memo.branch : '',
        environment: state.environment,
        status: state.status,
        startedAt: state.startedAt,
        finishedAt: state.startedAt + state.durationMs,
        stages: state.stages.map((stage) => ({
          ...stage,
          steps: stage.steps.map((step) => ({ ...step, logTail: [] })),
        })),
      }),
    );
  } catch (err) {
    log.warn('the build could not be recorded in the build store', { error: String(err) });
  }
}

/** Wharf's rules: the stage filter, --stage, and `runs-if` against the build's outcome so far. */
export function shouldRun(stage: StagePlan, input: BuildWorkflowInput, failedSoFar: boolean): boolean {
  if (input.onlyStages.length > 0 && !input.onlyStages.includes(stage.name)) return false;
  // The plan holds only the stages of its environment (makePlan applies Wharf's filter);
  // this guard keeps a hand-made plan from running a stage meant for another one.
  if (
    stage.environments.length > 0 &&
    (input.plan.environment === null || !stage.environments.includes(input.plan.environment))
  )
    return false;
  switch (stage.runsIf) {
    case 'success':
      return !failedSoFar;
    case 'fail':
      return failedSoFar;
    case 'always':
      return true;
  }
}

function pendingStage(stage: StagePlan): StageResult {
  return {
    name: stage.name,
    status: 'pending',
    startedAt: null,
    durationMs: 0,
    steps: stage.steps.map((s): StepResult => ({
      name: s.name,
      type: s.type,
      status: 'pending',
      startedAt: null,
      durationMs: 0,
      error: null,
      exitCode: null,
      logTail: [],
    })),
  };
}

function skip(view: StageResult): void {
  view.status = 'skipped';
  for (const step of view.steps) step.status = 'skipped';
}

function failureSummary(state: BuildResult): string {
  for (const stage of state.stages) {
    const step = stage.steps.find((s) => s.status === 'failed');
    if (step) return `build failed: ${stage.name}/${step.name}: ${step.error ?? 'failed'}`;
  }
  return 'build failed';
}

const ICONS: Record<RunStatus, string> = {
  pending: '·',
  running: '▶',
  success: '✔',
  failed: '✘',
  cancelled: '⊘',
  skipped: '↷',
};

// Shown in the Web UI as the workflow's current details.
function describe(state: BuildResult): void {
  const lines = [`**Build ${state.buildId}**: ${state.status}`, ''];
  for (const stage of state.stages) {
    lines.push(`- ${ICONS[stage.status]} **${stage.name}** ${stage.status}`);
    for (const step of stage.steps)
      lines.push(
        `  - ${ICONS[step.status]} ${step.name} (${step.type}) ${step.status}${step.error ? `: ${step.error}` : ''}`,
      );
  }
  setCurrentDetails(lines.join('\n'));
}
