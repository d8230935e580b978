// `wharf-temporal worker`: runs builds from the task queue until SIGTERM or SIGINT, then
// shuts down gracefully (running steps get a grace period, then move to another worker).
// With --http-port it serves /metrics, /livez and /readyz.
import { createServer } from 'node:net';
import { nameOf, settingByFlag } from '../../config/settings.ts';
import { IMAGE_KEYS, resolveWorkerSettings } from '../../config/worker-settings.ts';
import {
  createBuildWorker,
  DEFAULT_MAX_CACHED_WORKFLOWS,
  DEFAULT_MAX_WORKFLOW_TASKS,
  type BuildWorker,
} from '../../worker/build-worker.ts';
import { resolveDeployment } from '../../worker/deployment.ts';
import { startHttpEndpoint, type HttpEndpoint } from '../../worker/http-endpoint.ts';
import { createWorkerLog, LOG_FORMATS, type LogFormat } from '../../worker/worker-log.ts';
import { WorkerMetrics } from '../../worker/worker-metrics.ts';
import { STEP_POLICY_HELP, STEP_POLICY_OPTIONS, stepPolicyFrom } from '../../worker/step-policy.ts';
import { CONNECTION_HELP, CONNECTION_OPTIONS, resolveConnection } from '../connection-flags.ts';
import { parseCommandArgs, positiveInt } from '../parse-command-args.ts';
import { openStoreOf, STORE_HELP, STORE_OPTIONS } from '../store-flags.ts';
import { UsageError } from '../usage-error.ts';

export const HELP = `usage: wharf-temporal worker [options]

Runs build workflows and step activities from the task queue.

  --max-concurrent-steps N   steps (pods) this worker drives at once (WHARF_TEMPORAL_MAX_STEPS, default 50)
  --max-cached-workflows N   workflows kept in memory between tasks; the rest are replayed
                             when they have work (WHARF_TEMPORAL_MAX_CACHED_WORKFLOWS, default 500)
  --max-workflow-tasks N     workflow tasks this worker holds at once; the rest wait on the
                             server, not past their timeout inside a busy worker
                             (WHARF_TEMPORAL_MAX_WORKFLOW_TASKS, default 10)
  --shutdown-grace SECONDS   how long running steps get on SIGTERM (WHARF_TEMPORAL_SHUTDOWN_GRACE, default 30)
  --log-format text|json     the worker's own log (WHARF_TEMPORAL_LOG_FORMAT, default text)
  --http-port PORT           serve /metrics (Prometheus), /livez and /readyz (WHARF_TEMPORAL_HTTP_PORT, default: off)
  --http-host HOST           the address it listens on (WHARF_TEMPORAL_HTTP_HOST, default 0.0.0.0)
  --deployment ID            this deployment's identity, labelled on its pods; its sweeper
                             deletes only those (WHARF_TEMPORAL_DEPLOYMENT, default: derived
                             from the Temporal address, namespace and task queue)

Step pods (applied to every pod this worker creates; flags win over the environment,
which wins over the settings file):
  --config FILE              a YAML settings file: dockerBuilder, images, pod
                             (WHARF_TEMPORAL_WORKER_CONFIG)
  --docker-builder NAME      kaniko (default) or buildkit (WHARF_TEMPORAL_DOCKER_BUILDER)
  --step-image KEY=IMAGE     the image of a step type; KEY is one of
                             ${IMAGE_KEYS.join(', ')} (WHARF_TEMPORAL_STEP_IMAGES=K=I,...)
  --node-selector KEY=VALUE  (WHARF_TEMPORAL_NODE_SELECTOR=K=V,...)
  --toleration SPEC          key=value:Effect, key:Effect or key (WHARF_TEMPORAL_TOLERATIONS)
  --image-pull-secret NAME   (WHARF_TEMPORAL_IMAGE_PULL_SECRETS=a,b)
  --pod-label KEY=VALUE      (WHARF_TEMPORAL_POD_LABELS)
  --pod-annotation KEY=VALUE (WHARF_TEMPORAL_POD_ANNOTATIONS)
                             resources and securityContext: in the settings file
${STEP_POLICY_HELP}
${CONNECTION_HELP}
${STORE_HELP}`;

export async function workerCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('worker', argv, {
    ...CONNECTION_OPTIONS,
    ...STORE_OPTIONS,
    deployment: { type: 'string' },
    'max-concurrent-steps': { type: 'string' },
    'shutdown-grace': { type: 'string' },
    'max-cached-workflows': { type: 'string' },
    'max-workflow-tasks': { type: 'string' },
    'log-format': { type: 'string' },
    'http-port': { type: 'string' },
    'http-host': { type: 'string' },
    config: { type: 'string' },
    'docker-builder': { type: 'string' },
    'step-image': { type: 'string', multiple: true },
    'node-selector': { type: 'string', multiple: true },
    toleration: { type: 'string', multiple: true },
    'image-pull-secret': { type: 'string', multiple: true },
    'pod-label': { type: 'string', multiple: true },
    'pod-annotation': { type: 'string', multiple: true },
    ...STEP_POLICY_OPTIONS,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const env = process.env;
  const format = (values['log-format'] ?? env.WHARF_TEMPORAL_LOG_FORMAT) || 'text';
  if (!(LOG_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`${nameOf(settingByFlag('log-format'))} must be ${LOG_FORMATS.join(' or ')}, got '${format}'`);
  const log = createWorkerLog(format as LogFormat);
  const httpPortText = values['http-port'] ?? (env.WHARF_TEMPORAL_HTTP_PORT || undefined);
  const httpPort = httpPortText === undefined ? null : port(httpPortText);
  const httpHost = (values['http-host'] ?? env.WHARF_TEMPORAL_HTTP_HOST) || '0.0.0.0';
  const config = resolveConnection(values);
  const podSettings = resolveWorkerSettings({
    config: values.config,
    dockerBuilder: values['docker-builder'],
    stepImage: values['step-image'],
    nodeSelector: values['node-selector'],
    toleration: values.toleration,
    imagePullSecret: values['image-pull-secret'],
    podLabel: values['pod-label'],
    podAnnotation: values['pod-annotation'],
  });
  const maxConcurrentSteps = positiveInt(
    'max-concurrent-steps',
    values['max-concurrent-steps'] ?? env.WHARF_TEMPORAL_MAX_STEPS,
    50,
  );
  const maxCachedWorkflows = positiveInt(
    'max-cached-workflows',
    values['max-cached-workflows'] ?? env.WHARF_TEMPORAL_MAX_CACHED_WORKFLOWS,
    DEFAULT_MAX_CACHED_WORKFLOWS,
  );
  const maxWorkflowTasks = positiveInt(
    'max-workflow-tasks',
    values['max-workflow-tasks'] ?? env.WHARF_TEMPORAL_MAX_WORKFLOW_TASKS,
    DEFAULT_MAX_WORKFLOW_TASKS,
  );
  const shutdownGraceSeconds = positiveInt(
    'shutdown-grace',
    values['shutdown-grace'] ?? env.WHARF_TEMPORAL_SHUTDOWN_GRACE,
    30,
  );
  const deployment = resolveDeployment(config, values.deployment, env);
  // An unreachable store fails the start, naming it (password masked) and why.
  const { settings: storeSettings, store } = await openStoreOf(values);

  // Signals are ours from the start: one that comes while the worker is being set up
  // stops it as soon as it exists.
  let stopping = false;
  let shutdown = (): void => {
    stopping = true;
  };
  const stop = (signal: string): void => {
    log.info('shutting down', { signal });
    shutdown();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  let built: BuildWorker | null = null;
  let http: HttpEndpoint | null = null;
  const metrics = httpPort === null ? undefined : new WorkerMetrics();
  const runtimeMetricsPort = httpPort === null ? null : await freeLocalPort();
  if (metrics && runtimeMetricsPort !== null) {
    // Up before the worker, so a probe that comes early gets "not ready", not a refused connection.
    http = await startHttpEndpoint({
      host: httpHost,
      port: httpPort!,
      health: {
        live: () => built?.worker.getState() !== 'FAILED',
        ready: () => !stopping && built?.worker.getState() === 'RUNNING',
      },
      metrics: async () => `${await metrics.text()}\n${await runtimeMetrics(runtimeMetricsPort)}`,
    }).catch((err: unknown) => {
      throw new UsageError(
        `${nameOf(settingByFlag('http-port'))}: cannot listen on ${httpHost}:${httpPort}: ${(err as Error).message}`,
      );
    });
  }
  try {
    built = await createBuildWorker({
      config,
      podSettings,
      podPolicy: stepPolicyFrom(values, env),
      store,
      deployment,
      retentionDays: storeSettings.retentionDays,
      stepLog: { maxBytes: storeSettings.stepLogLimitBytes, bufferBytes: storeSettings.bufferBytes },
      maxConcurrentSteps,
      maxCachedWorkflows,
      maxWorkflowTasks,
      shutdownGraceSeconds,
      onReaped: (pods) => log.info(`deleted orphan pods: ${pods.join(', ')}`, { pods }),
      onWarning: (message) => log.warn(message),
      sweepEverySeconds: 600,
      log,
      ...(metrics ? { metrics, runtimeMetricsAddress: `127.0.0.1:${runtimeMetricsPort}` } : {}),
    });
    const worker = built.worker;
    shutdown = () => {
      stopping = true;
      worker.shutdown();
    };
    const running = worker.run();
    if (stopping) shutdown();
    else {
      log.info(
        `polling task queue ${config.taskQueue} on ${config.temporalAddress} (namespace ${config.temporalNamespace}); pods in ${config.kubeNamespace}; build store ${store.location}; deployment ${deployment}${http ? `; metrics and health on ${httpHost}:${http.port}` : ''}`,
        {
          taskQueue: config.taskQueue,
          temporalAddress: config.temporalAddress,
          temporalNamespace: config.temporalNamespace,
          kubeNamespace: config.kubeNamespace,
          ...(http ? { httpPort: http.port } : {}),
        },
      );
    }
    await running;
    await built.close();
    log.info('stopped');
    return 0;
  } finally {
    await http?.close();
    await store.close();
  }
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`${nameOf(settingByFlag('http-port'))} must be a port number (0-65535), got '${text}'`);
  return n;
}

/** A port on 127.0.0.1 nothing listens on now, for the Temporal runtime's own exporter. */
function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The Temporal runtime's metrics (task latencies, pollers, slots), served by its own exporter. */
async function runtimeMetrics(port: number): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
    return res.ok ? await res.text() : `# the Temporal runtime's metrics answered ${res.status}\n`;
  } catch (err) {
    return `# the Temporal runtime's metrics are not available: ${(err as Error).message}\n`;
  }
}
