// Runs one build from the user's terminal: starts it (with an in-process worker when
// asked), streams its logs live, and prints the outcome. Ctrl-C cancels the build and
// waits until its pods are deleted (so does SIGTERM); a second one leaves at once (the
// build goes on).
// Detached, it only starts the build and says how to follow it.
import type { RuntimeConfig } from '../config/runtime-config.ts';
import { buildUiLink } from '../config/runtime-config.ts';
import type { BuildStore } from '../store/build-store.ts';
import type { StoreSettings } from '../store/store-settings.ts';
import type { BuildWorker } from '../worker/build-worker.ts';
import type { WorkerPodSettings } from '../pod/worker-pod-settings.ts';
import type { BuildPrinter } from './build-printer.ts';
import type { BuildWorkflowInput } from '../../workflows/types.ts';
import { awaitBuildOutcome, EXIT_CANCELLED, exitCodeOf } from './build-outcome.ts';
import { LogFollower } from './log-follower.ts';
import { startBuild, type BuildLabels } from './start-build.ts';
import { connectClient } from './temporal-client.ts';
import { noWorkerNote, workerPolls } from './worker-presence.ts';

export interface RunBuildOptions {
  config: RuntimeConfig;
  input: BuildWorkflowInput;
  labels: BuildLabels;
  inProcessWorker: boolean;
  /** Start the build and return at once (needs a worker elsewhere). */
  detach?: boolean;
  maxConcurrentSteps: number;
  terminal: BuildPrinter;
  /** The build store the worker writes and this follows (opened by the caller). */
  store: BuildStore;
  storeSettings: StoreSettings;
  /** The in-process worker's step images, pod defaults and docker builder. */
  podSettings?: WorkerPodSettings;
  /** The deployment identity of the in-process worker. */
  deployment: string;
}

export async function runBuild(options: RunBuildOptions): Promise<number> {
  const { config, input, terminal } = options;
  const { client, close } = await connectClient(config);
  let worker: BuildWorker | null = null;
  let workerRun: Promise<void> | null = null;
  const removeSignals: (() => void)[] = [];
  try {
    if (options.inProcessWorker) {
      // The worker SDK (a native module) is loaded only when this process runs a worker.
      const { createBuildWorker } = await import('../worker/build-worker.ts');
      worker = await createBuildWorker({
        config,
        maxConcurrentSteps: options.maxConcurrentSteps,
        shutdownGraceSeconds: 5,
        store: options.store,
        deployment: options.deployment,
        ...(options.podSettings ? { podSettings: options.podSettings } : {}),
        stepLog: { maxBytes: options.storeSettings.stepLogLimitBytes, bufferBytes: options.storeSettings.bufferBytes },
        onReaped: (pods) => terminal.line(`deleted ${pods.length} pod(s) left over from finished builds`),
        onWarning: (message) => terminal.line(`warning: ${message}`),
      });
      workerRun = worker.worker.run();
    }
    const handle = await startBuild(client, config.taskQueue, input, options.labels);
    terminal.line(`build ${input.buildId} started`);
    const link = buildUiLink(config, input.buildId);
    if (link) terminal.line(`  ${link}`);
    if (!worker && !(await workerPolls(client, config.taskQueue).catch(() => true)))
      terminal.line(noWorkerNote(config.taskQueue));
    if (options.detach) {
      terminal.line(`follow it with: wharf-temporal logs ${input.buildId} --follow`);
      return 0;
    }

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
    // SIGTERM too: a CI job that runs `run` and is itself cancelled gets one.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, onInterrupt);
      removeSignals.push(() => process.off(signal, onInterrupt));
    }

    const { store } = options;
    const follower = new LogFollower(
      store,
      input.buildId,
      (step, record) => terminal.logLine(step, record),
      null,
      (message) => terminal.line(message),
    );
    await follower.start();
    const outcome = await awaitBuildOutcome(client, input.buildId);
    await follower.stop();
    if (outcome.result) terminal.summary(outcome.result);
    else if (outcome.error) terminal.line(`build ${input.buildId}: ${outcome.error}`);
    if (outcome.error && outcome.result?.status !== 'cancelled') terminal.line(outcome.error);
    const ran = outcome.result?.stages.some((stage) => stage.steps.some((step) => step.startedAt !== null)) ?? false;
    if (ran && (await store.steps(input.buildId).catch(() => null))?.length === 0)
      terminal.line(noLogsNote(store.location));
    return exitCodeOf(outcome);
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

/** Why a build that ran has no lines here: its worker writes to a store this machine does not read. */
export function noLogsNote(location: string): string {
  return (
    `no log lines of this build in ${location}: its worker writes them to another build store (the folder of its own machine, ` +
    'WHARF_TEMPORAL_LOG_DIR, or WHARF_TEMPORAL_STORE_URL); point WHARF_TEMPORAL_STORE_URL or --store at the one it uses'
  );
}
