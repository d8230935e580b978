// Creates the Temporal worker that runs builds: the workflows, and the step activities
// bound to a pod facade and the log store.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { pausesFromEnv } from '../../activities/deps.js';
import { BuildSecrets } from '../kube/build-secret.js';
import { describeApiError } from '../kube/api-error.js';
import { loadClusterConfig } from '../kube/kube-config.js';
import { PodFacade } from '../kube/pod-facade.js';
import { LogStore } from '../logs/log-store.js';
import { MANAGED_BY_SELECTOR, reapOrphanPods } from './reap-orphan-pods.js';
import { loadWorkflowBundle } from './workflow-bundle.js';
import { workflowKind } from './worker-metrics.js';
import { temporalConnectOptions, unreachable } from '../temporal/connection-options.js';
/** Enough for a worker's builds and their running steps at the default step cap. */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 100;
let runtimeInstalled = false;
export async function createBuildWorker(options) {
    const { config } = options;
    if (!runtimeInstalled) {
        // The SDK's core logs to the console by default; only warnings and worse matter here.
        // No shutdown on signals by the SDK: `worker` shuts down on SIGTERM itself, and in
        // `run` Ctrl-C cancels the build, which needs the in-process worker to keep going.
        Runtime.install({
            logger: new QuietLogger(options.log),
            telemetryOptions: {
                logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) },
                ...(options.runtimeMetricsAddress ? { metrics: { prometheus: { bindAddress: options.runtimeMetricsAddress, countersTotalSuffix: true, useSecondsForDurations: true } } } : {}),
            },
            shutdownSignals: [],
        });
        runtimeInstalled = true;
    }
    const kc = loadClusterConfig(config);
    const metrics = options.metrics;
    const pods = new PodFacade(kc, config.kubeNamespace, MANAGED_BY_SELECTOR, metrics ? { created: () => metrics.podCreated(), deleted: () => metrics.podDeleted() } : {});
    const secrets = new BuildSecrets(kc, config.kubeNamespace);
    const fail = (err) => {
        throw unreachable(config, err);
    };
    const connection = await NativeConnection.connect(temporalConnectOptions(config)).catch(fail);
    const clientConnection = await Connection.connect({ ...temporalConnectOptions(config), connectTimeout: '10 seconds' }).catch(fail);
    const client = new Client({ connection: clientConnection, namespace: config.temporalNamespace });
    const sweep = async (first = false) => {
        try {
            const reaped = await reapOrphanPods(client, pods, secrets);
            metrics?.orphansSwept(reaped.length);
            if (reaped.length)
                options.onReaped?.(reaped);
        }
        catch (err) {
            // A sweep that cannot run now runs next time; it must never stop the worker. The
            // first one is also the worker's first word with the cluster: say when it fails.
            if (first)
                options.onWarning?.(`cannot sweep for orphan pods in ${config.kubeNamespace} on ${kc.getCurrentCluster()?.server ?? 'the cluster'}: ${describeApiError(err).message}; steps retry until the cluster answers`);
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
        activities: createActivities({ pods, secrets, logs: new LogStore(config.logRoot), pauseAfterMs: pausesFromEnv(process.env.WHARF_TEMPORAL_PAUSE_AFTER) }),
        maxConcurrentActivityTaskExecutions: options.maxConcurrentSteps,
        maxConcurrentLocalActivityExecutions: options.maxConcurrentSteps,
        maxCachedWorkflows: options.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
        // Cancellation reaches an activity in a heartbeat's answer: send one at least every
        // 5 s (not 0.8 x the heartbeat timeout), so a cancelled step stops within seconds.
        maxHeartbeatThrottleInterval: '5 seconds',
        shutdownGraceTime: `${options.shutdownGraceSeconds} seconds`,
        ...(metrics ? { sinks: workflowMetricsSinks(metrics) } : {}),
        ...(options.identity ? { identity: options.identity } : {}),
    });
    return {
        worker,
        pods,
        async close() {
            if (sweeper)
                clearInterval(sweeper);
            pods.close();
            await connection.close();
            await clientConnection.close();
        },
    };
}
/** Counts each build and step workflow once (sinks are not called on replay). */
function workflowMetricsSinks(metrics) {
    return {
        workflowMetrics: {
            started: {
                fn: (info) => {
                    const kind = workflowKind(info.workflowType);
                    if (kind)
                        metrics.workflowStarted(kind);
                },
                callDuringReplay: false,
            },
            finished: {
                fn: (info, outcome) => {
                    const kind = workflowKind(info.workflowType);
                    if (kind)
                        metrics.workflowFinished(kind, outcome, (Date.now() - info.startTime.getTime()) / 1000);
                },
                callDuringReplay: false,
            },
        },
    };
}
class QuietLogger {
    out;
    constructor(out) {
        this.out = out;
    }
    log(level, message, meta) {
        // Failed steps are reported to the user as results; only the worker's own trouble is shown.
        if (level !== 'ERROR' && level !== 'WARN')
            return;
        if (this.out)
            this.out[level === 'ERROR' ? 'error' : 'warn'](message, meta ?? {});
        else if (level === 'ERROR')
            process.stderr.write(`worker: ${level.toLowerCase()}: ${message}\n`);
    }
    trace() { }
    debug() { }
    info() { }
    warn(message, meta) {
        this.log('WARN', message, meta);
    }
    error(message, meta) {
        this.log('ERROR', message, meta);
    }
}
