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
import { layeredLookup, lookupVariable, stringify, type VarValue } from '../varsub/substitute.ts';
import { gatherVariableSources, type VariableLayer } from '../varsub/variable-sources.ts';
import { buildSecretName, FILE_VARIABLES_KEY, SECRET_ENV_PREFIX, type BuildPlan } from './build-plan.ts';
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
   * Names of variables whose values are secret besides password inputs and the built-in
   * credentials (REG_PASS): they are kept out of the plan as password inputs are.
   */
  secretVariables?: string[];
}

export type MakePlanResult =
  | { plan: BuildPlan; warnings: string[]; secretValues: Record<string, string>; leftOut: string[] }
  | { errors: DefinitionError[] };

export interface PlanInput extends Omit<MakePlanOptions, 'text' | 'environ' | 'cwd'> {
  text: string;
  /** Variables from outside the definition, highest priority first (see variable-sources.ts). */
  layers: VariableLayer[];
}

/** The built-in variables of Wharf's step types that carry credentials. */
export const BUILTIN_SECRET_VARIABLES = ['REG_PASS'];

/** The environment variable (and Secret key) a secret value is given to steps as. */
export function secretEnvName(variable: string): string {
  return `${SECRET_ENV_PREFIX}${variable.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

/** Names marked secret in the environment: WHARF_TEMPORAL_SECRET_VARS=NAME,NAME. */
export function secretVariablesFrom(environ: NodeJS.ProcessEnv): string[] {
  return (environ.WHARF_TEMPORAL_SECRET_VARS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
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
      return {
        errors: [
          { file: options.file, line: 1, column: 1, path: '', message: `cannot read the build definition: ${reason}` },
        ],
      };
    }
  }
  const sources = gatherVariableSources(dirname(path), options.environ);
  const secretVariables = [...(options.secretVariables ?? []), ...secretVariablesFrom(options.environ)];
  const result = planDefinition({ ...options, text, layers: sources.layers, secretVariables });
  if (sources.errors.length === 0) return result;
  return { errors: sortErrors([...sources.errors, ...('errors' in result ? result.errors : [])]) };
}

/**
 * Secret values (password inputs, credentials, variables marked secret) never enter the
 * plan: each becomes a reference to an environment variable that steps get from the
 * build's own Secret (`${WHARF_SECRET_NAME}`, which a step's shell expands), and the values
 * come back in `secretValues`, the Secret's content, for the caller to store. So neither
 * the plan, nor workflow history, nor messages about the definition hold them.
 */
export function planDefinition(input: PlanInput): MakePlanResult {
  const { file } = input;
  const secretName = buildSecretName(input.buildId);
  const problems: DefinitionError[] = [];
  const secretValues: Record<string, string> = {};
  const fileVariables: Record<string, Value> = {};
  const inputEnv: { name: string; value: string }[] = [];
  const { definition, errors, warnings } = parseDefinition(file, input.text, (declared) => {
    const layers = variableLayers(input, declared, problems);
    const original = layeredLookup(layers);
    const overrides: Record<string, VarValue> = {};
    for (const name of secretVariableNames(
      file,
      declared,
      [...BUILTIN_SECRET_VARIABLES, ...(input.secretVariables ?? [])],
      problems,
    )) {
      let value: VarValue | undefined;
      try {
        value = lookupVariable(name, original);
      } catch {
        continue; // the cycle is reported where the variable is used
      }
      if (value === undefined || value === null || value === '') continue;
      secretValues[secretEnvName(name)] = stringify(value);
      Object.defineProperty(overrides, name, { value: `\${${secretEnvName(name)}}`, enumerable: true });
    }
    // Inputs are pasted into commands as text (as in Wharf); each is also an environment
    // variable that a command can quote. Password inputs are WHARF_SECRET_<NAME>.
    for (const name of inputEnvNames(file, declared, problems)) {
      let value: VarValue | undefined;
      try {
        value = lookupVariable(name, original);
      } catch {
        continue;
      }
      if (value !== undefined) inputEnv.push({ name: inputEnvName(name), value: stringify(value) });
    }
    // Files get the real values (the worker reads them from the Secret). In files, as in
    // text, a variable defined as null reads as nothing.
    for (const layer of [...layers].reverse())
      for (const [name, value] of Object.entries(layer)) fileVariables[name] = value ?? '';
    return layeredLookup([overrides, ...layers]);
  });
  const all = sortErrors([...errors, ...problems]);
  if (all.length) return { errors: all };
  const names = Object.keys(secretValues);
  const context: Omit<TranslateContext, 'buildId' | 'stage'> = {
    activeDeadlineSeconds: input.activeDeadlineSeconds ?? DEFAULT_ACTIVE_DEADLINE_SECONDS,
    secrets: [],
    buildSecret: secretName,
    ...(names.length ? { passwordEnv: { secretName, names } } : {}),
    ...(inputEnv.length ? { inputEnv } : {}),
    ...(input.resources ? { resources: input.resources } : {}),
  };
  const stages = definition.stages.filter((stage) => stageInEnvironment(stage.environments, input.env));
  const leftOut = definition.stages.filter((stage) => !stages.includes(stage)).map((stage) => stage.name);
  // What only the steps that run must get right (names Kubernetes refuses).
  const unrunnable = stages.flatMap((stage) => stage.steps.flatMap((step) => step.unrunnable));
  if (unrunnable.length) return { errors: sortErrors(unrunnable) };
  const plan = toPlan(input, { ...definition, stages }, context);
  const size = planSizeProblems(plan);
  if (size.errors.length) return { errors: size.errors };
  if (plan.stages.some((s) => s.steps.some((st) => st.source?.onlyFiles)))
    secretValues[FILE_VARIABLES_KEY] = JSON.stringify(fileVariables);
  return { plan, warnings: [...warnings.map(formatError), ...size.warnings], secretValues, leftOut };
}

/** The environment variable an input's value is also given to steps as. */
export function inputEnvName(input: string): string {
  return `WHARF_INPUT_${input.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

/** The inputs given as environment variables (all but passwords); two that would share one are an error. */
function inputEnvNames(file: string, declared: Declarations, problems: DefinitionError[]): string[] {
  const byEnv = new Map<string, string>();
  const names: string[] = [];
  for (const i of declared.inputs) {
    if (i.type === 'password') continue;
    const env = inputEnvName(i.name);
    const clash = byEnv.get(env);
    if (clash !== undefined) {
      problems.push({
        file,
        ...i.at,
        path: `inputs/${i.name}`,
        message: `inputs '${clash}' and '${i.name}' both become the environment variable ${env}; rename one`,
      });
      continue;
    }
    byEnv.set(env, i.name);
    names.push(i.name);
  }
  return names;
}

/**
 * The secret variables: password inputs and the given names. Two that would become the
 * same environment variable (db_pass and db-pass) are an error at the second input.
 */
function secretVariableNames(
  file: string,
  declared: Declarations,
  others: string[],
  problems: DefinitionError[],
): string[] {
  const byEnv = new Map<string, string>();
  const names: string[] = [];
  const add = (name: string, at: { line: number; column: number } | null, path: string): void => {
    const env = secretEnvName(name);
    const clash = byEnv.get(env);
    if (clash === name) return;
    if (clash !== undefined) {
      problems.push({
        file,
        ...(at ?? { line: 1, column: 1 }),
        path,
        message: `secret variables '${clash}' and '${name}' both become the environment variable ${env}; rename one`,
      });
      return;
    }
    byEnv.set(env, name);
    names.push(name);
  };
  for (const i of declared.inputs) if (i.type === 'password') add(i.name, i.at, `inputs/${i.name}`);
  for (const name of others) add(name, declared.inputsAt, 'inputs');
  return names;
}

/** A line telling which stages the environment filter left out, or null when none. */
export function leftOutNote(leftOut: readonly string[], env: string | null): string | null {
  if (leftOut.length === 0) return null;
  const why =
    env === null ? 'they are for named environments; choose one with --env' : `they are not for environment ${env}`;
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
function variableLayers(
  input: PlanInput,
  declared: Declarations,
  problems: DefinitionError[],
): Record<string, VarValue>[] {
  const given = readInputArguments(input.file, declared, input.inputs);
  problems.push(...given.errors);
  const defaults = Object.fromEntries(declared.inputs.map((i) => [i.name, i.default]));
  let environment: Record<string, VarValue> = {};
  if (input.env !== null) {
    const known = Object.keys(declared.environments);
    if (Object.hasOwn(declared.environments, input.env)) environment = declared.environments[input.env]!;
    else {
      problems.push({
        file: input.file,
        ...(declared.environmentsAt ?? { line: 1, column: 1 }),
        path: 'environments',
        message: `use of undefined environment "${input.env}" (given with --env; ${known.length ? `the file defines ${known.join(', ')}` : 'the file defines none'})`,
      });
    }
  }
  return [given.values, defaults, environment, { BUILD_REF: input.buildId }, ...input.layers.map((l) => l.variables)];
}

function toPlan(
  input: PlanInput,
  definition: BuildDefinition,
  context: Omit<TranslateContext, 'buildId' | 'stage'>,
): BuildPlan {
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
