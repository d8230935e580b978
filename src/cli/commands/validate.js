// `wharf-temporal validate [file]`: exit 0 when the definition is valid, 1 with every
// error (file:line:column scope: message), sorted by position. Needs no cluster.
import { formatErrors, makePlan } from '../../plan/make-plan.js';
import { printPlanRemarks } from '../output/plan-remarks.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { UsageError } from '../usage-error.js';
export const HELP = `usage: wharf-temporal validate [file] [--env NAME] [--input KEY=VALUE ...]

Checks a build definition (default: .wharf-ci.yml) as a build would read it, variables
included, and prints every error with its file, line, column and scope. Exits 0 when
valid, 1 otherwise. Needs no cluster.`;
export async function validateCommand(argv) {
    const { values, positionals } = parseCommandArgs('validate', argv, { env: { type: 'string' }, input: { type: 'string', multiple: true } });
    if (values.help) {
        process.stdout.write(`${HELP}\n`);
        return 0;
    }
    if (positionals.length > 1)
        throw new UsageError('validate: one file at a time');
    const file = positionals[0] ?? '.wharf-ci.yml';
    const result = makePlan({ file, env: values.env ?? null, inputs: parseInputs(values.input ?? []), buildId: 'validate', environ: process.env });
    if ('errors' in result) {
        process.stderr.write(formatErrors(result.errors));
        return 1;
    }
    printPlanRemarks(result, values.env ?? null);
    const steps = result.plan.stages.reduce((n, s) => n + s.steps.length, 0);
    process.stdout.write(`${file}: valid (${plural(result.plan.stages.length, 'stage')}, ${plural(steps, 'step')})\n`);
    return 0;
}
/** `--input KEY=VALUE` flags as a map; the value may itself hold '='. */
export function parseInputs(pairs) {
    const inputs = {};
    for (const pair of pairs) {
        const eq = pair.indexOf('=');
        if (eq <= 0)
            throw new UsageError(`--input takes KEY=VALUE, got '${pair}'`);
        inputs[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return inputs;
}
function plural(n, word) {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
}
