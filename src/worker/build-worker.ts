// Creates the Temporal worker that runs builds: the workflows, and the step activities
// bound to a pod facade and the build store.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, makeTelemetryFilterString, type InjectedSinks } from '@temporalio/worker';
import type { WorkflowMetricsSinks } from '../../workflows/metrics-interceptor.ts';
import { createActivities } from '../../activities/index.ts';
import { pausesFromEnv } from '../../activities/deps.ts';
import type { RuntimeConfig } from '../config/runtime-config.ts';
import { dataConverterOf } from '../codec/data-converter.ts';
import type { PodPolicy } from '../pod/pod-policy.ts';
import { stepPolicyFrom } from './step-policy.ts';
import { BuildSecrets } from '../kube/build-secret.ts';
import { describeApiError } from '../kube/api-error.ts';
import { loadClusterConfig } from '../kube/kube-config.ts';
import { PodFacade } from '../kube/pod-facade.ts';
import { deploymentSelector } from '../pod/labels.ts';
import type { WorkerPodSettings } from '../pod/worker-pod-settings.ts';
import type { BuildStore } from '../store/build-store.ts';
import type { StepLogOptions } from '../store/step-log.ts';
import { reapOrphanPods } from './reap-orphan-pods.ts';
import { loadWorkflowBundle } from './workflow-bundle.ts';
import type { WorkerLog } from './worker-log.ts';
import { workflowKind, type WorkerMetrics } from './worker-metrics.ts';
import { temporalConnectOptions, unreachable } from '../temporal/connection-options.ts';

export interface BuildWorkerOptions {
  config: RuntimeConfig;
  /** What steps' pods may use beyond their build's own Secret (default: the environment's, see step-policy.ts). */
  podPolicy?: PodPolicy;
  /** This deployment's identity: labelled on its pods; its sweeper deletes only those (see deployment.ts). */
  deployment: string;
  /** Where step logs and build records go (opened, and migrated, by the caller). */
  store: BuildStore;
  /** Size cap and memory bound of step logs. */
  stepLog?: Omit<StepLogOptions, 'secrets' | 'onTrouble'>;
  /** Finished builds older than this are deleted from the store at each sweep; 0 keeps them. */
  retentionDays?: number;
  /** Step images, pod defaults and the docker builder, applied to every step pod. */
  podSettings?: WorkerPodSettings;
  /** Cap on steps (pods) this worker drives at once: backpressure for the cluster and the host. */
  maxConcurrentSteps: number;
  /**
   * Workflows kept in memory between their tasks; others are replayed from history when
   * they next have work. The SDK sizes it by heap size, which on a large machine lets
   * hundreds of builds' workflows pile up.
   */
  maxCachedWorkflows?: number;
  /**
   * Workflow tasks held at once. A task taken must be answered within its timeout (10 s);
   * on a busy machine the SDK's 40 wait inside the worker past it, fewer wait on the server.
   */
  maxWorkflowTasks?: number;
  /** How long running activities get to finish on shutdown before they are handed back. */
  shutdownGraceSeconds: number;
  identity?: string;
  /** Called when the worker cannot do its job yet (the cluster does not answer). */
  onWarning?: (message: string) => void;
  /** Called with the orphan pods a sweep deleted. */
  onReaped?: (pods: string[]) => void;
  /** Sweep for orphan pods again this often while running (besides at start); 0 = only at start. */
  sweepEverySeconds?: number;
  /** Counts builds, steps, pods and sweeps. */
  metrics?: WorkerMetrics;
  /**
   * Where the Temporal runtime serves its own Prometheus metrics (HOST:PORT). Taken only by
   * the first worker of a process, which sets the runtime up.
   */
  runtimeMetricsAddress?: string;
  /** Where the SDK's warnings and errors go; default: standard error. */
  log?: WorkerLog;
}

export interface BuildWorker {
  worker: Worker;
  pods: PodFacade;
  close(): Promise<void>;
}

/**
 * Above the workflows one worker has in flight (each build and each of its started steps):
 * when the cache is smaller, a task the worker has taken waits inside it for a run to be
 * evicted, and times out (15 task timeouts with 100 builds of 5 steps and a cache of 100;
 * none with 500, at about the same memory).
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 500;
export const DEFAULT_MAX_WORKFLOW_TASKS = 10;

let runtimeInstalled = false;

export async function createBuildWorker(options: BuildWorkerOptions): Promise<BuildWorker> {
  const { config } = options;
  if (!runtimeInstalled) {
    // The SDK's core logs to the console by default; only warnings and worse matter here.
    // No shutdown on signals by the SDK: `worker` shuts down on SIGTERM itself, and in
    // `run` Ctrl-C cancels the build, which needs the in-process worker to keep going.
    Runtime.install({
      logger: new QuietLogger(options.log),
      telemetryOptions: {
        logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) },
        ...(options.runtimeMetricsAddress
          ? {
              metrics: {
                prometheus: {
                  bindAddress: options.runtimeMetricsAddress,
                  countersTotalSuffix: true,
                  useSecondsForDurations: true,
                },
              },
            }
          : {}),
      },
      shutdownSignals: [],
    });
    runtimeInstalled = true;
  }
  const kc = loadClusterConfig(config);
  const metrics = options.metrics;
  const pods = new PodFacade(
    kc,
    config.kubeNamespace,
    deploymentSelector(options.deployment),
    metrics ? { events: { created: () => metrics.podCreated(), deleted: () => metrics.podDeleted() } } : {},
  );
  const secrets = new BuildSecrets(kc, config.kubeNamespace);
  const fail = (err: unknown): never => {
    throw unreachable(config, err);
  };
  const connection = await NativeConnection.connect(temporalConnectOptions(config)).catch(fail);
  const clientConnection = await Connection.connect({
    ...temporalConnectOptions(config),
    connectTimeout: '10 seconds',
  }).catch(fail);
  const dataConverter = dataConverterOf(config);
  const client = new Client({
    connection: clientConnection,
    namespace: config.temporalNamespace,
    ...(dataConverter ? { dataConverter } : {}),
  });
  const sweep = async (first = false): Promise<void> => {
    try {
      const reaped = await reapOrphanPods(client, pods, options.deployment, secrets);
      metrics?.orphansSwept(reaped.length);
      if (reaped.length) options.onReaped?.(reaped);
      if (options.retentionDays) await options.store.deleteBuilds(Date.now() - options.retentionDays * 86_400_000);
    } catch (err) {
      // A sweep that cannot run now runs next time; it must never stop the worker. The
      // first one is also the worker's first word with the cluster: say when it fails.
      if (first)
        options.onWarning?.(
          `cannot sweep for orphan pods in ${config.kubeNamespace} on ${kc.getCurrentCluster()?.server ?? 'the cluster'}: ${describeApiError(err).message}; steps retry until the cluster answers`,
        );
    }
  };
  await sweep(true);
  const sweeper = options.sweepEverySeconds ? setInterval(() => void sweep(), options.sweepEverySeconds * 1000) : null;
  sweeper?.unref();
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    workflowBundle: await loadWorkflowBundle(),
    ...(dataConverter ? { dataConverter } : {}),
    activities: createActivities({
      pods,
      secrets,
      ...(options.podSettings ? { podSettings: options.podSettings } : {}),
      store: options.store,
      deployment: options.deployment,
      podPolicy: options.podPolicy ?? stepPolicyFrom({}),
      pauseAfterMs: pausesFromEnv(process.env.WHARF_TEMPORAL_PAUSE_AFTER),
      stepLog: { ...options.stepLog, onTrouble: (message) => options.onWarning?.(message) },
    }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentSteps,
    maxConcurrentLocalActivityExecutions: options.maxConcurrentSteps,
    maxCachedWorkflows: options.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: options.maxWorkflowTasks ?? DEFAULT_MAX_WORKFLOW_TASKS,
    // Cancellation reaches an activity in a heartbeat's answer: send one at least every
    // 5 s (not 0.8 x the heartbeat timeout), so a cancelled step stops within seconds.
    maxHeartbeatThrottleInterval: '5 seconds',
    // A workflow's next task waits this long on the queue of the worker that ran its last
    // one before any worker may take it: after a worker dies, every build and step it had
    // cached waits that long (the SDK's 10 s made a killed worker's builds stall ~20 s).
    stickyQueueScheduleToStartTimeout: '3 seconds',
    shutdownGraceTime: `${options.shutdownGraceSeconds} seconds`,
    // Always registered: the workflows call them whether this worker counts or not.
    sinks: workflowMetricsSinks(metrics),
    ...(options.identity ? { identity: options.identity } : {}),
  });
  return {
    worker,
    pods,
    async close() {
      if (sweeper) clearInterval(sweeper);
      pods.close();
      await connection.close();
      await clientConnection.close();
    },
  };
}

/** Counts each build and step workflow once (sinks are not called on replay). */
export function workflowMetricsSinks(metrics: WorkerMetrics | undefined): InjectedSinks<WorkflowMetricsSinks> {
  return {
    workflowMetrics: {
      started: {
        fn: (info) => {
          const kind = workflowKind(info.workflowType);
          if (kind) metrics?.workflowStarted(kind);
        },
        callDuringReplay: false,
      },
      finished: {
        fn: (info, outcome) => {
          const kind = workflowKind(info.workflowType);
          if (kind) metrics?.workflowFinished(kind, outcome, (Date.now() - info.startTime.getTime()) / 1000);
        },
        callDuringReplay: false,
      },
    },
  };
}

class QuietLogger {
  private readonly out: WorkerLog | undefined;

  constructor(out?: WorkerLog) {
    this.out = out;
  }

  log(level: string, message: string, meta?: Record<string, unknown>): void {
    // Failed steps are reported to the user as results (the SDK warns of each failed
    // workflow); only the worker's own trouble is shown.
    if (level !== 'ERROR') return;
    if (this.out) this.out.error(message, meta ?? {});
    else process.stderr.write(`worker: error: ${message}\n`);
  }
  trace(): void {}
  debug(): void {}
  info(): void {}
  warn(message: string, meta?: Record<string, unknown>): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: Record<string, unknown>): void {
    this.log('ERROR', message, meta);
  }
}
