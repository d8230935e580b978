// Runs one build from the user's terminal: starts it (with an in-process worker when
// asked), streams its logs live, and prints the outcome. Ctrl-C cancels the build and
// waits until its pods are deleted; a second Ctrl-C leaves at once (the build goes on).
import type { RuntimeConfig } from '../config/runtime-config.ts';
import { buildUiLink } from '../config/runtime-config.ts';
import { LogStore } from '../logs/log-store.ts';
import type { Terminal } from '../cli/output/terminal.ts';
import { createBuildWorker, type BuildWorker } from '../worker/build-worker.ts';
import type { BuildWorkflowInput } from '../../workflows/types.ts';
import { awaitBuildOutcome } from './build-outcome.ts';
import { LogFollower } from './log-follower.ts';
import { startBuild, type BuildLabels } from './start-build.ts';
import { connectClient } from './temporal-client.ts';

export interface RunBuildOptions {
  config: RuntimeConfig;
  input: BuildWorkflowInput;
  labels: BuildLabels;
  inProcessWorker: boolean;
  maxConcurrentSteps: number;
  terminal: Terminal;
}

export const EXIT_FAILED = 1;
export const EXIT_CANCELLED = 130;

export async function runBuild(options: RunBuildOptions): Promise<number> {
  const { config, input, terminal } = options;
  const { client, close } = await connectClient(config);
  let worker: BuildWorker | null = null;
  let workerRun: Promise<void> | null = null;
  const removeSignals: (() => void)[] = [];
  try {
    if (options.inProcessWorker) {
      worker = await createBuildWorker({
        config, maxConcurrentSteps: options.maxConcurrentSteps, shutdownGraceSeconds: 5,
        onReaped: (pods) => terminal.line(`deleted ${pods.length} pod(s) left over from finished builds`),
      });
      workerRun = worker.worker.run();
    }
    const handle = await startBuild(client, config.taskQueue, input, options.labels);
    terminal.line(`build ${input.buildId} started`);
    const link = buildUiLink(config, input.buildId);
    if (link) terminal.line(`  ${link}`);

    const follower = new LogFollower(new LogStore(config.logRoot), input.buildId, (step, record) => terminal.logLine(step, record));
    follower.start();
    let interrupts = 0;
    const onInterrupt = (): void => {
      interrupts++;
      if (interrupts === 1) {
        terminal.line('cancelling the build (Ctrl-C again to leave it running)…');
        handle.cancel().catch((err: unknown) => terminal.line(`could not cancel: ${String(err)}`));
      } else {
        process.exit(EXIT_CANCELLED);
      }
    };
    process.on('SIGINT', onInterrupt);
    removeSignals.push(() => process.off('SIGINT', onInterrupt));

    const outcome = await awaitBuildOutcome(client, input.buildId);
    follower.stop();
    if (outcome.result) terminal.summary(outcome.result);
    else if (outcome.error) terminal.line(`build ${input.buildId}: ${outcome.error}`);
    if (outcome.result?.status === 'success') return 0;
    if (outcome.result?.status === 'cancelled') return EXIT_CANCELLED;
    if (outcome.error) terminal.line(outcome.error);
    return EXIT_FAILED;
  } finally {
    for (const remove of removeSignals) remove();
    if (worker && workerRun) {
      worker.worker.shutdown();
      await workerRun;
      await worker.close();
    }
    await close();
  }
}
