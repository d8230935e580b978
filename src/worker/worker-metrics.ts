// The worker's own Prometheus metrics: builds and steps started and finished (by
// outcome) with their durations, pods created and deleted, orphans swept, and the build
// store's write latency. The Temporal runtime's metrics are served beside them.
import { Counter, Histogram, Registry } from 'prom-client';

export const METRIC_PREFIX = 'wharf_';

/** What the worker counts pods, sweeps and store writes with; each hook is cheap and never throws. */
export interface WorkerMetricsHooks {
  podCreated(): void;
  podDeleted(): void;
  orphansSwept(pods: number): void;
  /** The build store calls this after each write with how long it took. */
  storeWrite(seconds: number, store: string): void;
}

export type WorkflowKind = 'build' | 'step';

export class WorkerMetrics implements WorkerMetricsHooks {
  readonly registry = new Registry();
  private readonly started = new Counter({
    name: `${METRIC_PREFIX}workflows_started_total`,
    help: 'Builds and steps started on this worker',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly finished = new Counter({
    name: `${METRIC_PREFIX}workflows_finished_total`,
    help: 'Builds and steps finished on this worker, by outcome',
    labelNames: ['kind', 'outcome'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: `${METRIC_PREFIX}workflow_duration_seconds`,
    help: 'How long builds and steps took, from start to end, by outcome',
    labelNames: ['kind', 'outcome'],
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });
  private readonly pods = new Counter({
    name: `${METRIC_PREFIX}pods_total`,
    help: 'Step pods this worker created and deleted',
    labelNames: ['action'],
    registers: [this.registry],
  });
  private readonly orphans = new Counter({
    name: `${METRIC_PREFIX}orphan_pods_swept_total`,
    help: 'Pods of finished builds the sweeper deleted',
    registers: [this.registry],
  });
  private readonly storeWrites = new Histogram({
    name: `${METRIC_PREFIX}store_write_seconds`,
    help: 'Latency of writes to the build store',
    labelNames: ['store'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    // Every series exists from the start, so a rate over zero is zero, not absent.
    for (const kind of ['build', 'step']) this.started.inc({ kind }, 0);
    for (const action of ['created', 'deleted']) this.pods.inc({ action }, 0);
  }

  workflowStarted(kind: WorkflowKind): void {
    this.started.inc({ kind });
  }

  workflowFinished(kind: WorkflowKind, outcome: string, seconds: number): void {
    this.finished.inc({ kind, outcome });
    this.duration.observe({ kind, outcome }, Math.max(0, seconds));
  }

  podCreated(): void {
    this.pods.inc({ action: 'created' });
  }

  podDeleted(): void {
    this.pods.inc({ action: 'deleted' });
  }

  orphansSwept(pods: number): void {
    this.orphans.inc(pods);
  }

  storeWrite(seconds: number, store: string): void {
    this.storeWrites.observe({ store }, seconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The workflow type's kind, or null for workflows that are not counted. */
export function workflowKind(workflowType: string): WorkflowKind | null {
  if (workflowType === 'buildWorkflow') return 'build';
  if (workflowType === 'stepWorkflow') return 'step';
  return null;
}
