// What running a build plan gives, stage by stage and step by step as the plan is laid
// out: the workflows make it, the store keeps it, the CLI shows it. Plain data that
// crosses Temporal as JSON.
import type { StepType } from '../definition/types.ts';

export type RunStatus = 'pending' | 'running' | 'success' | 'failed' | 'cancelled' | 'skipped';

/** What a step is doing right now, for status views. */
export type StepPhase =
  'pending' | 'creating-pod' | 'waiting-for-pod' | 'transferring-source' | 'running' | 'deleting-pod' | 'done';

export interface StepResult {
  name: string;
  type: StepType;
  status: RunStatus;
  startedAt: number | null;
  durationMs: number;
  error: string | null;
  exitCode: number | null;
  /** The last few log lines of the step (bounded; the full log is in the log store). */
  logTail: string[];
  /** What a running step is doing; filled in by clients from the step's own query. */
  phase?: StepPhase;
}

export interface StageResult {
  name: string;
  status: RunStatus;
  startedAt: number | null;
  durationMs: number;
  steps: StepResult[];
}

export interface BuildResult {
  buildId: string;
  environment: string | null;
  status: RunStatus;
  startedAt: number;
  durationMs: number;
  stages: StageResult[];
}
