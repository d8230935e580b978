// `wharf-temporal worker`: runs builds from the task queue until SIGTERM or SIGINT, then
// shuts down gracefully (running steps get a grace period, then move to another worker).
import { resolveRuntimeConfig } from '../../config/runtime-config.ts';
import { createBuildWorker, DEFAULT_MAX_CACHED_WORKFLOWS } from '../../worker/build-worker.ts';
import { resolveDeployment } from '../../worker/deployment.ts';
import { CONNECTION_HELP, CONNECTION_OPTIONS, connectionOverrides } from '../connection-flags.ts';
import { openStoreOf, STORE_HELP, STORE_OPTIONS } from '../store-flags.ts';
import { parseCommandArgs, positiveInt } from '../parse-command-args.ts';

export const HELP = `usage: wharf-temporal worker [options]

Runs build workflows and step activities from the task queue.

  --max-concurrent-steps N   steps (pods) this worker drives at once (WHARF_TEMPORAL_MAX_STEPS, default 50)
  --max-cached-workflows N   workflows kept in memory between tasks; the rest are replayed
                             when they have work (WHARF_TEMPORAL_MAX_CACHED_WORKFLOWS, default 100)
  --shutdown-grace SECONDS   how long running steps get on SIGTERM (default 30)
  --deployment ID            this deployment's identity, labelled on its pods; its sweeper
                             deletes only those (WHARF_TEMPORAL_DEPLOYMENT, default: derived
                             from the Temporal address, namespace and task queue)
${CONNECTION_HELP}
${STORE_HELP}`;

export async function workerCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('worker', argv, {
    ...CONNECTION_OPTIONS, ...STORE_OPTIONS,
    deployment: { type: 'string' },
    'max-concurrent-steps': { type: 'string' },
    'shutdown-grace': { type: 'string' },
    'max-cached-workflows': { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const config = resolveRuntimeConfig(connectionOverrides(values));
  // Signals are ours from the start: one that comes while the worker is being set up
  // stops it as soon as it exists.
  let stopping = false;
  let shutdown = (): void => {
    stopping = true;
  };
  const stop = (): void => {
    process.stdout.write('worker: shutting down\n');
    shutdown();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const deployment = resolveDeployment(config, values.deployment);
  // An unreachable store fails the start, naming it (password masked) and why.
  const { settings, store } = await openStoreOf(values);
  const built = await createBuildWorker({
    config, store, retentionDays: settings.retentionDays, deployment,
    stepLog: { maxBytes: settings.stepLogLimitBytes, bufferBytes: settings.bufferBytes },
    maxConcurrentSteps: positiveInt('max-concurrent-steps', values['max-concurrent-steps'] ?? process.env.WHARF_TEMPORAL_MAX_STEPS, 50),
    maxCachedWorkflows: positiveInt('max-cached-workflows', values['max-cached-workflows'] ?? process.env.WHARF_TEMPORAL_MAX_CACHED_WORKFLOWS, DEFAULT_MAX_CACHED_WORKFLOWS),
    shutdownGraceSeconds: positiveInt('shutdown-grace', values['shutdown-grace'], 30),
    onReaped: (pods) => process.stdout.write(`deleted orphan pods: ${pods.join(', ')}\n`),
    onWarning: (message) => process.stderr.write(`worker: warning: ${message}\n`),
    sweepEverySeconds: 600,
  });
  shutdown = () => built.worker.shutdown();
  const running = built.worker.run();
  if (stopping) shutdown();
  else process.stdout.write(`worker: polling task queue ${config.taskQueue} on ${config.temporalAddress} (namespace ${config.temporalNamespace}); pods in ${config.kubeNamespace}; build store ${store.location}; deployment ${deployment}\n`);
  await running;
  await built.close();
  await store.close();
  process.stdout.write('worker: stopped\n');
  return 0;
}
