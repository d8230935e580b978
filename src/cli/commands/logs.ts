// `wharf-temporal logs <build>`: a build's logs from the build store, during the build,
// after it and after a worker restart; --follow keeps printing until the build ends.
import { awaitBuildOutcome, exitCodeOf } from '../../client/build-outcome.ts';
import { LogFollower, readAllRecords } from '../../client/log-follower.ts';
import { connectClient } from '../../client/temporal-client.ts';
import { noLogsNote } from '../../client/run-build.ts';
import { CONNECTION_HELP, CONNECTION_OPTIONS, resolveConnection } from '../connection-flags.ts';
import { openStoreOf, STORE_HELP, STORE_OPTIONS } from '../store-flags.ts';
import { Terminal } from '../output/terminal.ts';
import { parseCommandArgs } from '../parse-command-args.ts';
import { UsageError } from '../usage-error.ts';

export const HELP = `usage: wharf-temporal logs <build-id> [--follow] [--step NAME|STAGE/NAME]

--follow prints until the build ends, then its outcome, and exits as \`run\` does: 0 on
success, 1 on failure, 130 when cancelled. Logs are read from the build store the worker
writes (--store, WHARF_TEMPORAL_STORE_URL), which keeps them after Temporal has
forgotten the build.
${CONNECTION_HELP}
${STORE_HELP}`;

export async function logsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('logs', argv, {
    ...CONNECTION_OPTIONS,
    ...STORE_OPTIONS,
    follow: { type: 'boolean', short: 'f' },
    step: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const [buildId] = positionals;
  if (!buildId) throw new UsageError('logs: which build? usage: wharf-temporal logs <build-id>');
  const config = resolveConnection(values);
  const terminal = new Terminal();
  const onlyStep = values.step ?? null;
  if (!values.follow) {
    const { store } = await openStoreOf(values);
    try {
      const records = await readAllRecords(store, buildId, onlyStep);
      if (records.length === 0 && (await store.steps(buildId)).length === 0) {
        process.stderr.write(`no logs for ${buildId} in ${store.location}\n`);
        return 1;
      }
      for (const { step, record } of records) terminal.logLine(step, record);
      return 0;
    } finally {
      await store.close();
    }
  }
  // The build's outcome comes from Temporal; its lines from the store. A store that cannot
  // be read does not stop the outcome from being followed: it is said why lines are missing.
  const opened = await openStoreOf(values).catch((err: unknown) => {
    process.stderr.write(`cannot read the logs of ${buildId}: ${err instanceof Error ? err.message : String(err)}\n`);
    return null;
  });
  const store = opened?.store ?? null;
  const { client, close } = await connectClient(config);
  try {
    const known = await client.workflow
      .getHandle(buildId)
      .describe()
      .then(
        () => true,
        (err: unknown) => {
          if (err instanceof Error && err.name === 'WorkflowNotFoundError') return false;
          throw err;
        },
      );
    if (!known) {
      // Temporal has forgotten it (retention): the store still has its lines and record.
      const recorded = await store?.readBuild(buildId);
      if (!store || !recorded) throw new Error(`no such build: ${buildId}`);
      for (const { step, record } of await readAllRecords(store, buildId, onlyStep)) terminal.logLine(step, record);
      terminal.line(`build ${buildId}: ${recorded.status}`);
      return exitCodeOf({
        result: { ...recorded, durationMs: recorded.finishedAt - recorded.startedAt },
        error: null,
        running: false,
      });
    }
    const follower = store
      ? new LogFollower(
          store,
          buildId,
          (step, record) => terminal.logLine(step, record),
          onlyStep,
          (m) => process.stderr.write(`${m}\n`),
        )
      : null;
    await follower?.start();
    const outcome = await awaitBuildOutcome(client, buildId);
    await follower?.stop();
    if (
      store &&
      outcome.result?.stages.some((s) => s.steps.some((st) => st.startedAt !== null)) &&
      (await store.steps(buildId).catch(() => null))?.length === 0
    ) {
      process.stderr.write(`${noLogsNote(store.location)}\n`);
    }
    terminal.line(
      `build ${buildId}: ${outcome.result?.status ?? 'failed'}${outcome.error && outcome.result?.status !== 'cancelled' ? `: ${outcome.error}` : ''}`,
    );
    return exitCodeOf(outcome);
  } finally {
    await close();
    await store?.close();
  }
}
