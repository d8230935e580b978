// `wharf-temporal cancel <build>`: cancels the build; its steps see it through their
// heartbeats and delete their pods. Waits for that unless --no-wait.
import { awaitBuildOutcome } from '../../client/build-outcome.ts';
import { connectClient } from '../../client/temporal-client.ts';
import { CONNECTION_HELP, CONNECTION_OPTIONS, resolveConnection } from '../connection-flags.ts';
import { parseCommandArgs } from '../parse-command-args.ts';
import { UsageError } from '../usage-error.ts';

export const HELP = `usage: wharf-temporal cancel <build-id> [--no-wait]

${CONNECTION_HELP}`;

export async function cancelCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('cancel', argv, {
    ...CONNECTION_OPTIONS,
    'no-wait': { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const [buildId] = positionals;
  if (!buildId) throw new UsageError('cancel: which build? usage: wharf-temporal cancel <build-id>');
  const { client, close } = await connectClient(resolveConnection(values));
  try {
    const handle = client.workflow.getHandle(buildId);
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') {
      process.stdout.write(`${buildId} is not running (${description.status.name.toLowerCase()})\n`);
      return 1;
    }
    await handle.cancel();
    process.stdout.write(`cancellation of ${buildId} requested\n`);
    if (values['no-wait']) return 0;
    const outcome = await awaitBuildOutcome(client, buildId);
    process.stdout.write(`${buildId}: ${outcome.result?.status ?? outcome.error ?? 'finished'}\n`);
    return outcome.result?.status === 'cancelled' ? 0 : 1;
  } finally {
    await close();
  }
}
