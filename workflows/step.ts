// The step child workflow: one pod through its life. The step pod manager of the
// design notes: create the pod, wait until it is ready, put the source in, run the
// command, and delete the pod whatever happened (in a scope cancellation cannot stop).
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
} from '@temporalio/workflow';
import type { StepActivities } from '../activities/index.ts';
import { failureMessage, timeoutOf } from './failure-message.ts';
import { stepStatusQuery } from './queries.ts';
import type { AwaitReady, PodRef, StepPhase, StepResult, StepWorkflowInput } from './types.ts';

// Pod creation and deletion are short API calls: as local activities they cost one
// history event each instead of six (the budget is 40 events per step).
const quick = proxyLocalActivities<StepActivities>({
  startToCloseTimeout: '90 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

/** transferSource or runCommand, whichever comes first, waits for the pod: no awaitPodReady activity. */
export const READY_IN_FIRST_ACTIVITY = 'ready-in-first-activity';

/** deletePod gets the created pod's uid and the step's labels. */
export const DELETE_OWN_POD_ONLY = 'delete-own-pod-only';

/**
 * A run that passes this patch takes the path of both patches above. The SDK's core
 * upserts a search attribute for each patch a run passes (a history event and a
 * visibility update each), so a new run passes one; runs of older releases keep theirs.
 */
export const STEP_BASELINE = 'step-baseline-1';

export async function stepWorkflow(input: StepWorkflowInput): Promise<StepResult> {
  const { step, timeouts } = input;
  const baseline = patched(STEP_BASELINE);
  const heartbeatTimeout = `${timeouts.heartbeatSeconds} seconds`;
  const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds' };
  const waiting = proxyActivities<StepActivities>({
    startToCloseTimeout: `${timeouts.pendingSeconds + 60} seconds`,
    heartbeatTimeout,
    retry: { ...retry, maximumAttempts: 10 },
  });
  const transfer = proxyActivities<StepActivities>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout,
    retry: { ...retry, maximumAttempts: 10 },
  });
  // Retrying the command re-attaches to it (it runs once); the whole run has one budget.
  // A retry mostly follows a worker that died (its heartbeat timed out, already a wait of
  // its own): the next attempt starts at once.
  const reattach = { ...retry, initialInterval: '100 milliseconds' };
  const running = proxyActivities<StepActivities>({
    scheduleToCloseTimeout: `${timeouts.runSeconds} seconds`,
    heartbeatTimeout,
    retry: reattach,
  });
  // The same, when they first wait for the pod: the pending budget on top (the command's
  // own budget then counts in the activity, from the pod being ready).
  const readyTransfer = proxyActivities<StepActivities>({
    startToCloseTimeout: `${timeouts.pendingSeconds + 1800} seconds`,
    heartbeatTimeout,
    retry: { ...retry, maximumAttempts: 10 },
  });
  const readyRunning = proxyActivities<StepActivities>({
    scheduleToCloseTimeout: `${timeouts.runSeconds + timeouts.pendingSeconds} seconds`,
    heartbeatTimeout,
    retry: reattach,
  });

  const startedAt = Date.now();
  const podName = step.pod.metadata?.name ?? '';
  let phase: StepPhase = 'creating-pod';
  const enter = (next: StepPhase): void => {
    phase = next;
    setCurrentDetails(`**${input.stage}/${step.name}** (${step.type}): ${next}, pod \`${podName}\``);
  };
  setHandler(stepStatusQuery, () => ({ phase, pod: podName }));
  enter('creating-pod');

  const result: StepResult = {
    name: step.name,
    type: step.type,
    status: 'running',
    startedAt,
    durationMs: 0,
    error: null,
    exitCode: null,
    logTail: [],
  };
  let cancellation: unknown = null;
  let created: PodRef | undefined;
  try {
    const log = { buildId: input.buildId, stage: input.stage, step: step.name };
    const pod: PodRef = await quick.createPod({ pod: step.pod, log });
    created = pod;
    enter('waiting-for-pod');
    // The first activity that needs the pod waits until it is ready: one activity and
    // one workflow task less per step. Older histories have an activity of its own.
    const ready = baseline || patched(READY_IN_FIRST_ACTIVITY);
    let awaitReady: AwaitReady | undefined = ready ? { pendingSeconds: timeouts.pendingSeconds } : undefined;
    if (!ready) await waiting.awaitPodReady({ pod, pendingSeconds: timeouts.pendingSeconds, log });
    if (step.source && input.source.kind !== 'none') {
      if (!awaitReady) enter('transferring-source');
      const { container, path, onlyFiles, variables } = step.source;
      const args = { pod, container, path, source: input.source, onlyFiles, variables, log };
      if (awaitReady) await readyTransfer.transferSource({ ...args, awaitReady });
      else await transfer.transferSource(args);
      awaitReady = undefined;
    }
    enter('running');
    const outcome = await (awaitReady ? readyRunning : running).runCommand({
      buildId: input.buildId,
      stage: input.stage,
      step: step.name,
      pod,
      container: step.exec.container,
      command: step.exec.command,
      shell: step.exec.shell,
      secrets: step.secrets,
      secretName: step.secretName,
      ...(awaitReady ? { awaitReady: { ...awaitReady, runSeconds: timeouts.runSeconds } } : {}),
    });
    result.exitCode = outcome.exitCode;
    result.logTail = outcome.logTail;
    result.status = outcome.exitCode === 0 ? 'success' : 'failed';
    if (outcome.exitCode !== 0) result.error = `command exited with code ${outcome.exitCode}`;
  } catch (err) {
    // Once the step is cancelled, whatever the activity reports (e.g. its command killed
    // with the pod) is the cancellation's doing.
    if (isCancellation(err) || CancellationScope.current().consideredCancelled) {
      cancellation = isCancellation(err) ? err : new CancelledFailure('step cancelled');
      result.status = 'cancelled';
    } else {
      result.status = 'failed';
      // The run's budget is one schedule-to-close timeout over all its attempts.
      result.error =
        (phase as StepPhase) === 'running' && timeoutOf(err) === 'SCHEDULE_TO_CLOSE'
          ? `the command ran longer than its budget of ${timeouts.runSeconds} s`
          : failureMessage(err);
    }
  } finally {
    enter('deleting-pod');
    // Only the pod this step created: a name taken by another build's pod is not ours to delete.
    const target =
      baseline || patched(DELETE_OWN_POD_ONLY)
        ? { name: podName, uid: created?.uid, labels: step.pod.metadata?.labels ?? {} }
        : { name: podName };
    await CancellationScope.nonCancellable(() => quick.deletePod(target));
    enter('done');
  }
  result.durationMs = Date.now() - startedAt;
  if (cancellation) throw cancellation;
  if (result.status === 'failed') {
    throw ApplicationFailure.create({
      message: result.error ?? 'step failed',
      type: 'StepFailed',
      nonRetryable: true,
      details: [result],
    });
  }
  return result;
}
