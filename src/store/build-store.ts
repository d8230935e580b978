// The build store: every step's log lines and each finished build's record, kept apart
// from Temporal so that logs and history outlive the workflow's retention and can be read
// from any machine that reaches the store. Two implementations share this interface and
// one set of contract tests: a local folder (file-store.ts) and PostgreSQL (postgres-store.ts).
import type { LogRecord } from '../logs/log-record.ts';
import type { RunStatus, StageResult } from '../plan/build-result.ts';
import type { StepLog, StepLogOptions } from './step-log.ts';

export interface StepRef {
  buildId: string;
  stage: string;
  step: string;
}

export interface StepInfo extends StepRef {
  /** When the step's log was marked finished; null while it may still grow. */
  finishedAt: number | null;
}

/** A finished build as the store keeps it (the record `list` and `status` fall back to). */
export interface BuildRecord {
  buildId: string;
  workflowId: string;
  runId: string;
  repository: string;
  branch: string;
  environment: string | null;
  status: RunStatus;
  startedAt: number;
  finishedAt: number;
  /** Stages and steps with their times, exit codes and errors (no log tails). */
  stages: StageResult[];
}

export interface BuildQuery {
  limit: number;
  status?: string;
  repository?: string;
}

/** Where to continue reading a step's log: opaque to callers, 0 is the beginning. */
export type LogCursor = number;

export interface BuildStore {
  /** Where the store is, for messages: a folder, or a URL with its password masked. */
  readonly location: string;
  /** Opens a step's log for appending; it knows what earlier attempts stored (resume offsets). */
  openStep(ref: StepRef, options?: StepLogOptions): Promise<StepLog>;
  /** The steps of a build that have a log, in the order they were first written. */
  steps(buildId: string): Promise<StepInfo[]>;
  /** A step's records after `cursor`, in the order they were stored, and where to continue. */
  read(ref: StepRef, cursor: LogCursor): Promise<{ records: LogRecord[]; next: LogCursor }>;
  /**
   * Calls `onChange` soon after new lines of the build are stored (and now and then
   * anyway); returns what stops it.
   */
  watch(buildId: string, onChange: () => void): Promise<() => Promise<void>>;
  recordBuild(record: BuildRecord): Promise<void>;
  readBuild(buildId: string): Promise<BuildRecord | null>;
  /** Recorded builds, newest first. */
  listBuilds(query: BuildQuery): Promise<BuildRecord[]>;
  /** Deletes builds (record and logs) that finished, or were last written, before `before`; returns how many. */
  deleteBuilds(before: number): Promise<number>;
  close(): Promise<void>;
}

export type { LogRecord };
