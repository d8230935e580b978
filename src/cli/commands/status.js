// `wharf-temporal status <build>`: stages, steps, states and timings of a build.
import { readBuildOutcome } from '../../client/build-outcome.js';
import { connectClient } from '../../client/temporal-client.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, resolveConnection } from '../connection-flags.js';
import { Terminal } from '../output/terminal.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { UsageError } from '../usage-error.js';
export const HELP = `usage: wharf-temporal status <build-id> [--json]

${CONNECTION_HELP}`;
export async function statusCommand(argv) {
    const { values, positionals } = parseCommandArgs('status', argv, { ...CONNECTION_OPTIONS, json: { type: 'boolean' } });
    if (values.help) {
        process.stdout.write(`${HELP}\n`);
        return 0;
    }
    const [buildId] = positionals;
    if (!buildId)
        throw new UsageError('status: which build? usage: wharf-temporal status <build-id>');
    const { client, close } = await connectClient(resolveConnection(values));
    try {
        const outcome = await readBuildOutcome(client, buildId);
        if (values.json) {
            process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
        }
        else if (outcome.result) {
            new Terminal().summary(outcome.result);
        }
        else {
            process.stdout.write(`${buildId}: ${outcome.error ?? 'no result'}\n`);
        }
        return outcome.running || outcome.result?.status === 'success' ? 0 : 1;
    }
    finally {
        await close();
    }
}
