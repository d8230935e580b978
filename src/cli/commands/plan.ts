// `wharf-temporal plan [file]`: the resolved stages and steps and the exact pod manifests
// the build would run (YAML, or JSON with --json), with secret values masked. Same path
// as `run`, without a cluster.
import { stringify } from 'yaml';
import { DEFAULT_ACTIVE_DEADLINE_SECONDS, formatErrors, makePlan } from '../../plan/make-plan.ts';
import { printPlanRemarks } from '../output/plan-remarks.ts';
import type { BuildPlan } from '../../plan/build-plan.ts';
import { maskData } from '../../logs/secret-mask.ts';
import { parseCommandArgs, positiveInt } from '../parse-command-args.ts';
import { UsageError } from '../usage-error.ts';
import { parseInputs } from './validate.ts';

export const HELP = `usage: wharf-temporal plan [file] [options]

Prints the build in [file] (default: .wharf-ci.yml) as it would run: stages, steps and
the exact pod of every step, variables resolved and secrets masked.

  --env NAME            the environment to build for
  --input KEY=VALUE     an input value (repeatable)
  --build-id ID         the build id the pods are named and labelled with (default: plan)
  --deadline SEC        how long a step's pod may live (default 14400)
  --json                JSON instead of YAML`;

export async function planCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('plan', argv, {
    env: { type: 'string' },
    input: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    'build-id': { type: 'string' },
    deadline: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('plan: one file at a time');
  const file = positionals[0] ?? '.wharf-ci.yml';
  const buildId = values['build-id'] ?? 'plan';
  if (!/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/.test(buildId))
    throw new UsageError(
      `plan: --build-id '${buildId}' must be a Kubernetes label value (lower-case letters, digits, '-' and '.', at most 63)`,
    );
  const result = makePlan({
    file,
    env: values.env ?? null,
    inputs: parseInputs(values.input ?? []),
    buildId,
    environ: process.env,
    activeDeadlineSeconds: positiveInt('deadline', values.deadline, DEFAULT_ACTIVE_DEADLINE_SECONDS),
  });
  if ('errors' in result) {
    process.stderr.write(formatErrors(result.errors));
    return 1;
  }
  printPlanRemarks(result, values.env ?? null);
  const masked = maskSecrets(result.plan);
  process.stdout.write(
    values.json
      ? `${JSON.stringify(masked, null, 2)}\n`
      : stringify(masked, { lineWidth: 0, aliasDuplicateObjects: false }),
  );
  return 0;
}

/**
 * The plan as printed. A planned build only refers to its secret values (they go to its
 * Secret), so there is nothing of them to mask; a hand-made plan's `secrets` are masked in
 * every string, the plan's shape untouched.
 */
export function maskSecrets(plan: BuildPlan): BuildPlan {
  return maskData(
    plan,
    plan.stages.flatMap((s) => s.steps.flatMap((st) => st.secrets)),
  );
}
