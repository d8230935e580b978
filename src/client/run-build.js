import { buildUiLink } from '../config/runtime-config.js';
import { LogStore } from '../logs/log-store.js';
import { createBuildWorker } from '../worker/build-worker.js';
import { awaitBuildOutcome, EXIT_CANCELLED, exitCodeOf } from './build-outcome.js';
import { LogFollower } from './log-follower.js';
import { startBuild } from './start-build.js';
import { connectClient } from './temporal-client.js';
import { noWorkerNote, workerPolls } from './worker-presence.js';
export async function runBuild(options) {
    const { config, input, terminal } = options;
    const { client, close } = await connectClient(config);
    let worker = null;
    let workerRun = null;
    const removeSignals = [];
    try {
        if (options.inProcessWorker) {
            worker = await createBuildWorker({
                config, maxConcurrentSteps: options.maxConcurrentSteps, shutdownGraceSeconds: 5,
                onReaped: (pods) => terminal.line(`deleted ${pods.length} pod(s) left over from finished builds`),
                onWarning: (message) => terminal.line(`warning: ${message}`),
            });
            workerRun = worker.worker.run();
        }
        const handle = await startBuild(client, config.taskQueue, input, options.labels);
        terminal.line(`build ${input.buildId} started`);
        const link = buildUiLink(config, input.buildId);
        if (link)
            terminal.line(`  ${link}`);
        if (!worker && !(await workerPolls(client, config.taskQueue).catch(() => true)))
            terminal.line(noWorkerNote(config.taskQueue));
        if (options.detach) {
            terminal.line(`follow it with: wharf-temporal logs ${input.buildId} --follow`);
            return 0;
        }
        const store = new LogStore(config.logRoot);
        const follower = new LogFollower(store, input.buildId, (step, record) => terminal.logLine(step, record));
        follower.start();
        let interrupts = 0;
        const onInterrupt = () => {
            interrupts++;
            if (interrupts === 1) {
                terminal.line('cancelling the build (Ctrl-C again to leave it running)…');
                handle.cancel().catch((err) => terminal.line(`could not cancel: ${String(err)}`));
            }
            else {
                process.exit(EXIT_CANCELLED);
            }
        };
        // SIGTERM too: a CI job that runs `run` and is itself cancelled gets one.
        for (const signal of ['SIGINT', 'SIGTERM']) {
            process.on(signal, onInterrupt);
            removeSignals.push(() => process.off(signal, onInterrupt));
        }
        const outcome = await awaitBuildOutcome(client, input.buildId);
        follower.stop();
        if (outcome.result)
            terminal.summary(outcome.result);
        else if (outcome.error)
            terminal.line(`build ${input.buildId}: ${outcome.error}`);
        if (outcome.error && outcome.result?.status !== 'cancelled')
            terminal.line(outcome.error);
        const ran = outcome.result?.stages.some((stage) => stage.steps.some((step) => step.startedAt !== null)) ?? false;
        if (ran && store.steps(input.buildId).length === 0) {
            terminal.line(`no log lines reached ${config.logRoot}: the worker writes them to its WHARF_TEMPORAL_LOG_DIR, which this machine does not share`);
        }
        return exitCodeOf(outcome);
    }
    finally {
        for (const remove of removeSignals)
            remove();
        if (worker && workerRun) {
            worker.worker.shutdown();
            await workerRun;
            await worker.close();
        }
        await close();
    }
}
