// From a .wharf-ci.yml to the build plan the workflows run: parse and validate,
// gather variables from their sources, substitute, translate every step into its pod.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DefinitionError } from '../definition/definition-error.ts';
import { parseDefinition } from '../definition/parse-definition.ts';
import type { BuildDefinition, InputDefinition, Value } from '../definition/types.ts';
import { translateStep } from '../pod/translate-step.ts';
import { layeredLookup, type VarValue } from '../varsub/substitute.ts';
import { environmentVariables, gitVariables, readVarsFiles, varsFilePaths } from '../varsub/variable-sources.ts';
import type { BuildPlan } from './build-plan.ts';

export { formatErrors } from '../definition/definition-error.ts';

export interface MakePlanOptions {
  file: string;
  /** The file's text; read from `file` when absent. */
  text?: string;
  env: string | null;
  inputs: Record<string, string>;
  buildId: string;
  environ: NodeJS.ProcessEnv;
  /** How long a step's pod may live, in seconds (default 4 hours). */
  activeDeadlineSeconds?: number;
  /**
   * Keep password inputs out of the plan: steps read them from this Kubernetes Secret as
   * `WHARF_SECRET_<NAME>` environment variables, and `${name}` becomes a reference to that
   * variable (so password inputs work in commands). The values come back in
   * `passwordValues`, for the caller to store in the Secret.
   */
  passwordSecret?: string;
}

export type MakePlanResult =
  | { plan: BuildPlan; warnings: string[]; passwordValues: Record<string, string> }
  | { errors: DefinitionError[] };

/** The environment variable (and Secret key) a password input is given to steps as. */
export function passwordEnvName(input: string): string {
  return `WHARF_SECRET_${input.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

export function makePlan(options: MakePlanOptions): MakePlanResult {
  const { file } = options;
  let text = options.text;
  if (text === undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
      return { errors: [{ file, line: 1, column: 1, path: '', message: `cannot read the build definition: ${reason}` }] };
    }
  }
  const problems: DefinitionError[] = [];
  const warnings: string[] = [];
  const secrets: string[] = [];
  // Every variable the build sees, for file substitution; password inputs left out.
  const fileVariables: Record<string, VarValue> = {};
  const passwordValues: Record<string, string> = {};
  const at = (path: string, message: string): void => {
    problems.push({ file, line: 1, column: 1, path, message });
  };
  const { definition, errors } = parseDefinition(file, text, (declared) => {
    const inputLayer = resolveInputs(declared.inputs, options.inputs, at, secrets);
    const defaults = Object.fromEntries(declared.inputs.filter((i) => i.default !== null).map((i) => [i.name, i.default as VarValue]));
    for (const i of declared.inputs) if (i.type === 'password' && i.default !== null && !(i.name in inputLayer)) secrets.push(String(i.default));
    if (options.passwordSecret) {
      // The values go to the Secret; the plan only refers to them.
      secrets.length = 0;
      for (const i of declared.inputs.filter((input) => input.type === 'password')) {
        const value = i.name in inputLayer ? inputLayer[i.name] : defaults[i.name];
        if (value === undefined) continue;
        passwordValues[passwordEnvName(i.name)] = String(value);
        inputLayer[i.name] = `\${${passwordEnvName(i.name)}}`;
        delete defaults[i.name];
      }
    }
    let environment: Record<string, Value> = {};
    if (options.env !== null) {
      if (!Object.hasOwn(declared.environments, options.env)) {
        const known = Object.keys(declared.environments);
        at('--env', `unknown environment '${options.env}'${known.length ? ` (the file defines ${known.join(', ')})` : ' (the file defines none)'}`);
      } else {
        environment = declared.environments[options.env]!;
      }
    }
    const dir = dirname(resolve(file));
    const varsFiles = readVarsFiles(varsFilePaths(dir, options.environ));
    warnings.push(...varsFiles.problems);
    const layers = [
      inputLayer, defaults, environment,
      { BUILD_REF: options.buildId, WHARF_BUILD_ID: options.buildId },
      environmentVariables(options.environ),
      ...varsFiles.layers,
      gitVariables(dir),
    ];
    const passwords = new Set(declared.inputs.filter((i) => i.type === 'password').map((i) => i.name));
    for (const layer of [...layers].reverse()) Object.assign(fileVariables, layer);
    for (const name of passwords) delete fileVariables[name];
    return layeredLookup(layers);
  });
  const all = [...errors, ...problems];
  if (all.length) return { errors: all };
  const passwordEnv = options.passwordSecret && Object.keys(passwordValues).length
    ? { secretName: options.passwordSecret, names: Object.keys(passwordValues) }
    : undefined;
  return { plan: toPlan(file, options, definition, secrets, fileVariables, passwordEnv), warnings, passwordValues };
}

function resolveInputs(declared: InputDefinition[], given: Record<string, string>, at: (path: string, m: string) => void, secrets: string[]): Record<string, VarValue> {
  const layer: Record<string, VarValue> = {};
  for (const [name, raw] of Object.entries(given)) {
    const input = declared.find((i) => i.name === name);
    if (!input) {
      at(`--input ${name}`, `the file declares no input '${name}'${declared.length ? ` (it has ${declared.map((i) => i.name).join(', ')})` : ''}`);
      continue;
    }
    if (input.type === 'number') {
      const n = Number(raw);
      if (raw.trim() === '' || Number.isNaN(n)) at(`--input ${name}`, `expected a number, got '${raw}'`);
      else layer[name] = n;
    } else if (input.type === 'choice' && !input.values.map(String).includes(raw)) {
      at(`--input ${name}`, `'${raw}' is not one of ${input.values.map((v) => `'${String(v)}'`).join(', ')}`);
    } else {
      layer[name] = raw;
      if (input.type === 'password') secrets.push(raw);
    }
  }
  return layer;
}

function toPlan(
  file: string, options: MakePlanOptions, definition: BuildDefinition, secrets: string[], fileVariables: Record<string, VarValue>,
  passwordEnv: { secretName: string; names: string[] } | undefined,
): BuildPlan {
  return {
    file,
    environment: options.env,
    stages: definition.stages.map((stage) => ({
      name: stage.name,
      runsIf: stage.runsIf,
      environments: stage.environments,
      steps: stage.steps.map((step) => translateStep(step, {
        buildId: options.buildId, stage: stage.name, activeDeadlineSeconds: options.activeDeadlineSeconds ?? 4 * 3600, secrets, fileVariables, passwordEnv,
      })),
    })),
  };
}
