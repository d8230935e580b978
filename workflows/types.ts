// Types shared by the workflows, the activities and the CLI. Plain data only: all of it
// crosses Temporal as JSON.
import type { V1Pod } from '@kubernetes/client-node';
import type { StepType } from '../src/definition/types.ts';
import type { BuildPlan } from '../src/plan/build-plan.ts';
import type { BuildResult, RunStatus, StageResult, StepPhase, StepResult } from '../src/plan/build-result.ts';
import type { StepPlan } from '../src/pod/step-plan.ts';

export type { BuildPlan, BuildResult, RunStatus, StageResult, StepPhase, StepPlan, StepResult, StepType };

/**
 * Where a build's source tree comes from. `secretName` is the build's own Secret: the
 * variables for file substitution and, when the URL has credentials, the real URL (`url`
 * then shows them masked).
 */
export type SourceSpec =
  | { kind: 'local'; path: string; secretName?: string }
  | { kind: 'git'; url: string; ref: string; secretName?: string }
  | { kind: 'none' };

export interface BuildWorkflowInput {
  buildId: string;
  plan: BuildPlan;
  source: SourceSpec;
  /** Run only these stages (the CLI's --stage); empty = all. */
  onlyStages: string[];
  timeouts: StepTimeouts;
}

export interface StepTimeouts {
  /** Budget for a pod to be scheduled and become ready, separate from the run time. */
  pendingSeconds: number;
  /** Budget for the step's command. */
  runSeconds: number;
  /** Heartbeat timeout of the long activities: how soon a dead worker's work moves on. */
  heartbeatSeconds: number;
}

export interface StepWorkflowInput {
  buildId: string;
  stage: string;
  step: StepPlan;
  source: SourceSpec;
  timeouts: StepTimeouts;
}

// ---- activity inputs and outputs -------------------------------------------------

export interface PodRef {
  name: string;
  uid: string;
}

export interface CreatePodInput {
  pod: V1Pod;
  /** Where to say that the cluster cannot be reached yet (absent in older histories). */
  log?: StepLogRef;
}

/** Which step's log an activity writes its own remarks to. */
export interface StepLogRef {
  buildId: string;
  stage: string;
  step: string;
}

export interface AwaitPodReadyInput {
  pod: PodRef;
  pendingSeconds: number;
  log?: StepLogRef;
}

/** Asks an activity to wait until its pod is ready before it starts (absent in older histories). */
export interface AwaitReady {
  pendingSeconds: number;
  /** runCommand's budget, counted from the pod being ready (the wait for it has its own). */
  runSeconds?: number;
}

export interface TransferSourceInput {
  pod: PodRef;
  awaitReady?: AwaitReady;
  container: string;
  path: string;
  source: SourceSpec;
  onlyFiles?: string[];
  variables?: Record<string, string | number | boolean>;
  log?: StepLogRef;
}

export interface RunCommandInput {
  buildId: string;
  stage: string;
  step: string;
  pod: PodRef;
  container: string;
  command: string[];
  /** The shell the follower runs in (the step image's POSIX shell). */
  shell?: string;
  secrets: string[];
  /** A Secret whose values are masked in the logs too (the build's password inputs). */
  secretName?: string;
  awaitReady?: AwaitReady;
}

export interface RunCommandOutput {
  exitCode: number;
  logTail: string[];
}

export interface DeletePodInput {
  name: string;
  /** The uid of the pod this step created: only that pod is deleted (absent in older histories). */
  uid?: string;
  /**
   * The step pod's labels, for when its creation was not confirmed: a pod of that name
   * is deleted only if it carries this step's identity labels.
   */
  labels?: Record<string, string>;
}
