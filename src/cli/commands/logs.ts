// `wharf-temporal logs <build>`: a build's logs from the log store, during the build,
// after it and after a worker restart; --follow keeps printing until the build ends.
import { awaitBuildOutcome, exitCodeOf } from '../../client/build-outcome.ts';
import { LogFollower, readAllRecords } from '../../client/log-follower.ts';
import { connectClient } from '../../client/temporal-client.ts';
import { LogStore } from '../../logs/log-store.ts';
import { CONNECTION_HELP, CONNECTION_OPTIONS, resolveConnection } from '../connection-flags.ts';
import { Terminal } from '../output/terminal.ts';
import { parseCommandArgs } from '../parse-command-args.ts';
import { UsageError } from '../usage-error.ts';

export const HELP = `usage: wharf-temporal logs <build-id> [--follow] [--step NAME|STAGE/NAME]

--follow prints until the build ends, then its outcome, and exits as \`run\` does: 0 on
success, 1 on failure, 130 when cancelled. Logs are read from the log folder the worker
writes (WHARF_TEMPORAL_LOG_DIR).
${CONNECTION_HELP}`;

export async function logsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('logs', argv, {
    ...CONNECTION_OPTIONS, follow: { type: 'boolean', short: 'f' }, step: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const [buildId] = positionals;
  if (!buildId) throw new UsageError('logs: which build? usage: wharf-temporal logs <build-id>');
  const config = resolveConnection(values);
  const store = new LogStore(config.logRoot);
  const terminal = new Terminal();
  const follower = new LogFollower(store, buildId, (step, record) => terminal.logLine(step, record), values.step ?? null);
  if (!values.follow) {
    const records = readAllRecords(store, buildId, values.step ?? null);
    if (records.length === 0 && store.steps(buildId).length === 0) {
      process.stderr.write(`no logs for ${buildId} in ${config.logRoot}\n`);
      return 1;
    }
    for (const { step, record } of records) terminal.logLine(step, record);
    return 0;
  }
  const { client, close } = await connectClient(config);
  try {
    await client.workflow.getHandle(buildId).describe(); // an unknown build is an error, not an endless wait
    follower.start();
    const outcome = await awaitBuildOutcome(client, buildId);
    follower.stop();
    terminal.line(`build ${buildId}: ${outcome.result?.status ?? 'failed'}${outcome.error && outcome.result?.status !== 'cancelled' ? `: ${outcome.error}` : ''}`);
    return exitCodeOf(outcome);
  } finally {
    await close();
  }
}
