// `wharf-temporal validate [file]`: exit 0 when the definition is valid, 1 with every
// error (file:line:column scope: message), sorted by position. Needs no cluster.
import { formatErrors, makePlan } from '../../plan/make-plan.ts';
import { printPlanRemarks } from '../output/plan-remarks.ts';
import { parseCommandArgs } from '../parse-command-args.ts';
import { UsageError } from '../usage-error.ts';
import { nameProblem } from '../../definition/decimal-number.ts';

export const HELP = `usage: wharf-temporal validate [file] [--env NAME] [--input KEY=VALUE ...]

Checks a build definition (default: .wharf-ci.yml) as a build would read it, variables
included, and prints every error with its file, line, column and scope. Exits 0 when
valid, 1 otherwise. Needs no cluster.`;

export async function validateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('validate', argv, {
    env: { type: 'string' },
    input: { type: 'string', multiple: true },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('validate: one file at a time');
  const file = positionals[0] ?? '.wharf-ci.yml';
  const result = makePlan({
    file,
    env: values.env ?? null,
    inputs: parseInputs(values.input ?? []),
    buildId: 'validate',
    environ: process.env,
  });
  if ('errors' in result) {
    process.stderr.write(formatErrors(result.errors));
    return 1;
  }
  printPlanRemarks(result, values.env ?? null);
  const steps = result.plan.stages.reduce((n, s) => n + s.steps.length, 0);
  process.stdout.write(`${file}: valid (${plural(result.plan.stages.length, 'stage')}, ${plural(steps, 'step')})\n`);
  return 0;
}

/** `--input KEY=VALUE` flags as a map; the value may itself hold '='. A key is a variable name, given once. */
export function parseInputs(pairs: string[]): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new UsageError(`--input takes KEY=VALUE, got '${pair.includes('=') ? pair : `${pair.slice(0, 40)}`}'`);
    const key = pair.slice(0, eq);
    const problem = nameProblem(key);
    if (problem) throw new UsageError(`--input ${key}: ${problem}`);
    if (Object.hasOwn(inputs, key)) throw new UsageError(`--input ${key} is given twice`);
    Object.defineProperty(inputs, key, {
      value: pair.slice(eq + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return inputs;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
