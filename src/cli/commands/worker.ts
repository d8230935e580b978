// `wharf-temporal worker`: runs builds from the task queue until SIGTERM or SIGINT, then
// shuts down gracefully (running steps get a grace period, then move to another worker).
import { resolveRuntimeConfig } from '../../config/runtime-config.ts';
import { createBuildWorker } from '../../worker/build-worker.ts';
import { CONNECTION_HELP, CONNECTION_OPTIONS, connectionOverrides } from '../connection-flags.ts';
import { parseCommandArgs, positiveInt } from '../parse-command-args.ts';

export const HELP = `usage: wharf-temporal worker [options]

Runs build workflows and step activities from the task queue.

  --max-concurrent-steps N   steps (pods) this worker drives at once (WHARF_TEMPORAL_MAX_STEPS, default 50)
  --shutdown-grace SECONDS   how long running steps get on SIGTERM (default 30)
${CONNECTION_HELP}`;

export async function workerCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('worker', argv, {
    ...CONNECTION_OPTIONS,
    'max-concurrent-steps': { type: 'string' },
    'shutdown-grace': { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const config = resolveRuntimeConfig(connectionOverrides(values));
  const built = await createBuildWorker({
    config,
    maxConcurrentSteps: positiveInt('max-concurrent-steps', values['max-concurrent-steps'] ?? process.env.WHARF_TEMPORAL_MAX_STEPS, 50),
    shutdownGraceSeconds: positiveInt('shutdown-grace', values['shutdown-grace'], 30),
    onReaped: (pods) => process.stdout.write(`deleted orphan pods: ${pods.join(', ')}\n`),
    onWarning: (message) => process.stderr.write(`worker: warning: ${message}\n`),
    sweepEverySeconds: 600,
  });
  const stop = (): void => {
    process.stdout.write('worker: shutting down\n');
    built.worker.shutdown();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`worker: polling task queue ${config.taskQueue} on ${config.temporalAddress} (namespace ${config.temporalNamespace}); pods in ${config.kubeNamespace}\n`);
  await built.worker.run();
  await built.close();
  process.stdout.write('worker: stopped\n');
  return 0;
}
