// `wharf-temporal status <build>`: stages, steps, states and timings of a build.
import { readBuildOutcome } from '../../client/build-outcome.ts';
import { connectClient } from '../../client/temporal-client.ts';
import { CONNECTION_HELP, CONNECTION_OPTIONS, resolveConnection } from '../connection-flags.ts';
import { openStoreOf, STORE_HELP, STORE_OPTIONS } from '../store-flags.ts';
import { Terminal } from '../output/terminal.ts';
import { parseCommandArgs } from '../parse-command-args.ts';
import { UsageError } from '../usage-error.ts';

export const HELP = `usage: wharf-temporal status <build-id> [--json]

${CONNECTION_HELP}
${STORE_HELP}`;

export async function statusCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('status', argv, {
    ...CONNECTION_OPTIONS,
    ...STORE_OPTIONS,
    json: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const [buildId] = positionals;
  if (!buildId) throw new UsageError('status: which build? usage: wharf-temporal status <build-id>');
  const { client, close } = await connectClient(resolveConnection(values));
  try {
    const outcome = await readBuildOutcome(client, buildId).catch(async (err: unknown) => {
      // Forgotten by Temporal (past its retention): the build store keeps its record.
      if (!(err instanceof Error && err.name === 'WorkflowNotFoundError')) throw err;
      const { store } = await openStoreOf(values);
      const record = await store.readBuild(buildId).finally(() => store.close());
      if (!record) throw err;
      return { result: { ...record, durationMs: record.finishedAt - record.startedAt }, error: null, running: false };
    });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
    } else if (outcome.result) {
      new Terminal().summary(outcome.result);
    } else {
      process.stdout.write(`${buildId}: ${outcome.error ?? 'no result'}\n`);
    }
    return outcome.running || outcome.result?.status === 'success' ? 0 : 1;
  } finally {
    await close();
  }
}
