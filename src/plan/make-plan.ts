// From a .wharf-ci.yml to the build plan the workflows run: parse and validate, gather
// variables from their sources in wharf-cmd's order, substitute, translate every step
// into its pod. `makePlan` does the I/O (the file, vars files, git); `planDefinition` is
// the pure rest, given the text and the outside variable layers.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { V1ResourceRequirements } from '@kubernetes/client-node';
import { formatError, sortErrors, type DefinitionError } from '../yaml/definition-error.ts';
import { readInputArguments } from '../definition/input-arguments.ts';
import { parseDefinition } from '../definition/parse-definition.ts';
import type { BuildDefinition, Declarations, Value } from '../definition/types.ts';
import { translateStep, type TranslateContext } from '../pod/translate-step.ts';
import { layeredLookup, type VarValue } from '../varsub/substitute.ts';
import { gatherVariableSources, type VariableLayer } from '../varsub/variable-sources.ts';
import type { BuildPlan } from './build-plan.ts';
import { planSizeProblems } from './plan-limits.ts';

export { formatErrors } from '../yaml/definition-error.ts';
export type { DefinitionError };

/** How long a step's pod may live when not told otherwise: 4 hours. */
export const DEFAULT_ACTIVE_DEADLINE_SECONDS = 4 * 3600;

export interface MakePlanOptions {
  /** Path of the definition, as the user gave it (relative to `cwd`). */
  file: string;
  /** The file's text; read from `file` when absent. */
  text?: string;
  /** The environment chosen with --env, or null. */
  env: string | null;
  /** --input values, as given. */
  inputs: Record<string, string>;
  buildId: string;
  /** The process environment, for WHARF_VAR_* and the config folder. */
  environ: NodeJS.ProcessEnv;
  /** Where a relative `file` is; default the process's working directory. */
  cwd?: string;
  /** How long a step's pod may live, in seconds. */
  activeDeadlineSeconds?: number;
  /** Resources of every step's container (none by default, as wharf-cmd). */
  resources?: V1ResourceRequirements;
  /**
   * Keep password inputs out of the plan: steps read them from this Kubernetes Secret as
   * `WHARF_SECRET_<NAME>` environment variables, and `${name}` becomes a reference to that
   * variable (so password inputs work in commands). The values come back in
   * `passwordValues`, for the caller to store in the Secret.
   */
  passwordSecret?: string;
}

export type MakePlanResult =
  | { plan: BuildPlan; warnings: string[]; passwordValues: Record<string, string>; leftOut: string[] }
  | { errors: DefinitionError[] };

export interface PlanInput extends Omit<MakePlanOptions, 'text' | 'environ' | 'cwd'> {
  text: string;
  /** Variables from outside the definition, highest priority first (see variable-sources.ts). */
  layers: VariableLayer[];
}

/** The environment variable (and Secret key) a password input is given to steps as. */
export function passwordEnvName(input: string): string {
  return `WHARF_SECRET_${input.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

export function makePlan(options: MakePlanOptions): MakePlanResult {
  const path = resolve(options.cwd ?? process.cwd(), options.file);
  let text = options.text;
  if (text === undefined) {
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
      return { errors: [{ file: options.file, line: 1, column: 1, path: '', message: `cannot read the build definition: ${reason}` }] };
    }
  }
  const sources = gatherVariableSources(dirname(path), options.environ);
  const result = planDefinition({ ...options, text, layers: sources.layers });
  if (sources.errors.length === 0) return result;
  return { errors: sortErrors([...sources.errors, ...('errors' in result ? result.errors : [])]) };
}

export function planDefinition(input: PlanInput): MakePlanResult {
  const { file } = input;
  const problems: DefinitionError[] = [];
  const secrets: string[] = [];
  const passwordValues: Record<string, string> = {};
  const fileVariables: Record<string, Value> = {};
  const { definition, errors, warnings } = parseDefinition(file, input.text, (declared) => {
    const layers = variableLayers(input, declared, problems);
    const passwords = declared.inputs.filter((i) => i.type === 'password').map((i) => i.name);
    for (const name of passwords) {
      const value = layers.find((l) => Object.hasOwn(l, name))?.[name];
      if (value === undefined || value === '') continue;
      if (input.passwordSecret) {
        // The value goes to the Secret; the plan only refers to it.
        passwordValues[passwordEnvName(name)] = String(value);
        layers[0]![name] = `\${${passwordEnvName(name)}}`;
        layers[1]![name] = `\${${passwordEnvName(name)}}`;
      } else {
        secrets.push(String(value));
      }
    }
    // In files, as in text, a variable defined as null reads as nothing.
    for (const layer of [...layers].reverse()) for (const [name, value] of Object.entries(layer)) fileVariables[name] = value ?? '';
    for (const name of passwords) delete fileVariables[name];
    return layeredLookup(layers);
  });
  const all = sortErrors([...errors, ...problems]);
  if (all.length) return { errors: all };
  const passwordEnv = input.passwordSecret && Object.keys(passwordValues).length
    ? { secretName: input.passwordSecret, names: Object.keys(passwordValues) }
    : undefined;
  const context = {
    activeDeadlineSeconds: input.activeDeadlineSeconds ?? DEFAULT_ACTIVE_DEADLINE_SECONDS,
    secrets, fileVariables, passwordEnv, ...(input.resources ? { resources: input.resources } : {}),
  };
  const stages = definition.stages.filter((stage) => stageInEnvironment(stage.environments, input.env));
  const leftOut = definition.stages.filter((stage) => !stages.includes(stage)).map((stage) => stage.name);
  // What only the steps that run must get right (names Kubernetes refuses).
  const unrunnable = stages.flatMap((stage) => stage.steps.flatMap((step) => step.unrunnable));
  if (unrunnable.length) return { errors: sortErrors(unrunnable) };
  const plan = toPlan(input, { ...definition, stages }, context);
  const size = planSizeProblems(plan);
  if (size.errors.length) return { errors: size.errors };
  return { plan, warnings: [...warnings.map(formatError), ...size.warnings], passwordValues, leftOut };
}

/** A line telling which stages the environment filter left out, or null when none. */
export function leftOutNote(leftOut: readonly string[], env: string | null): string | null {
  if (leftOut.length === 0) return null;
  const why = env === null ? 'they are for named environments; choose one with --env' : `they are not for environment ${env}`;
  return `stages left out (${why}): ${leftOut.join(', ')}`;
}

/**
 * Wharf's environment filter: a stage that lists no environments belongs to every build;
 * one that lists some belongs only to a build with one of them chosen (so without --env,
 * only the stages that list none run).
 */
export function stageInEnvironment(environments: readonly string[], env: string | null): boolean {
  return environments.length === 0 || (env !== null && environments.includes(env));
}

/** The variable layers, highest priority first: --input, input defaults, the environment, build ids, then the outside sources. */
function variableLayers(input: PlanInput, declared: Declarations, problems: DefinitionError[]): Record<string, VarValue>[] {
  const given = readInputArguments(input.file, declared, input.inputs);
  problems.push(...given.errors);
  const defaults = Object.fromEntries(declared.inputs.map((i) => [i.name, i.default]));
  let environment: Record<string, VarValue> = {};
  if (input.env !== null) {
    const known = Object.keys(declared.environments);
    if (Object.hasOwn(declared.environments, input.env)) environment = declared.environments[input.env]!;
    else {
      problems.push({
        file: input.file, ...(declared.environmentsAt ?? { line: 1, column: 1 }), path: 'environments',
        message: `use of undefined environment "${input.env}" (given with --env; ${known.length ? `the file defines ${known.join(', ')}` : 'the file defines none'})`,
      });
    }
  }
  return [given.values, defaults, environment, { BUILD_REF: input.buildId }, ...input.layers.map((l) => l.variables)];
}

function toPlan(input: PlanInput, definition: BuildDefinition, context: Omit<TranslateContext, 'buildId' | 'stage'>): BuildPlan {
  return {
    file: input.file,
    environment: input.env,
    stages: definition.stages.map((stage) => ({
      name: stage.name,
      runsIf: stage.runsIf,
      environments: stage.environments,
      steps: stage.steps.map((step) => translateStep(step, { ...context, buildId: input.buildId, stage: stage.name })),
    })),
  };
}
