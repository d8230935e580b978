// Rules of a step type beyond single fields, as wharf-cmd's pkg/steps has them: defaults
// computed from built-in variables (a missing one is an error, as in wharf-cmd), fields
// that must come together, and the built-ins a step type reads when it becomes a pod.
import { lookupVariable, VariableCycleError, type Lookup } from '../varsub/substitute.ts';
import type { StepDefinition, Value } from './types.ts';

export interface RuleProblem {
  /** The field the problem is about, or '' for the step type as a whole. */
  field: string;
  message: string;
}

type Fields = StepDefinition['fields'];
type Problem = (field: string, message: string) => void;

const GOOGLE_STABLE_CHARTS = 'https://kubernetes-charts.storage.googleapis.com';

/** Completes `step.fields` and `step.builtins` in place; returns what is wrong. */
export function applyStepRules(step: StepDefinition, given: ReadonlySet<string>, lookup: Lookup): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const problem: Problem = (field, message) => problems.push({ field, message });
  const vars = new BuiltinReader(lookup, problem);
  const f = step.fields;
  switch (step.type) {
    case 'container':
      // The worker runs steps through a POSIX shell; powershell.exe cannot host it.
      if (String(f.os).toLowerCase() === 'windows')
        problem('os', "os 'windows' is not supported: steps run through a POSIX shell on Linux nodes");
      if (f.secretName) f.secretName = projectSecretName(String(f.secretName), 'secretName', vars, problem);
      break;
    case 'docker':
      dockerRules(step, given, vars, problem);
      break;
    case 'helm':
      if (!given.has('repo')) f.repo = vars.defaultFrom('repo', ['CHART_REPO', 'REPO_GROUP']);
      if (f.repo === 'stage') f.repo = GOOGLE_STABLE_CHARTS;
      vars.optional(step, 'REG_USER', 'string');
      vars.optional(step, 'REG_PASS', 'string');
      if (!given.has('secret')) setIfDefined(f, 'secret', vars.optional(step, 'HELM_REG_SECRET', 'string', false));
      break;
    case 'helm-package':
      if (!given.has('destination')) f.destination = vars.defaultFrom('destination', ['CHART_REPO', 'REPO_GROUP']);
      if (!given.has('secret')) setIfDefined(f, 'secret', vars.optional(step, 'HELM_REG_SECRET', 'string', false));
      // An oci:// destination's TLS is verified unless the registry is insecure.
      vars.optional(step, 'REG_INSECURE', 'boolean');
      break;
    case 'kubectl':
      if (!f.file && list(f.files).length === 0) problem('file', 'missing required field (give file or files)');
      break;
    case 'nuget-package':
      break;
  }
  return problems;
}

function dockerRules(step: StepDefinition, given: ReadonlySet<string>, vars: BuiltinReader, problem: Problem): void {
  const f = step.fields;
  f.name ??= step.name;
  const group = given.has('group') ? String(f.group) : vars.optional(step, 'REPO_GROUP', 'string', false);
  if (!given.has('destination')) {
    const registry = given.has('registry') ? String(f.registry) : vars.required('destination', 'REG_URL');
    const repoGroup = given.has('group') ? String(f.group) : vars.required('destination', 'REPO_GROUP');
    const repoName = vars.required('destination', 'REPO_NAME');
    const parts = [registry, repoGroup, repoName];
    f.destination = (repoName === f.name ? parts : [...parts, String(f.name)]).join('/');
  }
  // wharf-cmd's default: on when the group starts with "default" (not applied: see the pod).
  if (!given.has('append-cert'))
    f['append-cert'] = String(group ?? '')
      .toLowerCase()
      .startsWith('default');
  if (
    String(f.tag)
      .split(',')
      .every((t) => t.trim() === '')
  )
    problem('tag', 'tags field resolved to zero tags');
  const secretArgs = list(f.secretArgs);
  for (const arg of secretArgs) {
    const eq = arg.indexOf('=');
    const what =
      eq < 0 ? "missing '='" : eq === 0 ? "empty 'ARG'" : eq === arg.length - 1 ? "empty 'secret-key'" : null;
    if (what)
      problem('secretArgs', `invalid secret format: ${what}, expected 'ARG=secret-key': ${JSON.stringify(arg)}`);
  }
  if (secretArgs.length && !f.secretName) problem('secretArgs', 'found secretArgs but is missing secretName');
  else if (!secretArgs.length && f.secretName) problem('secretName', 'found secretName but is missing secretArgs');
  else if (f.secretName) f.secretName = projectSecretName(String(f.secretName), 'secretName', vars, problem);
  // The registry credentials: the `secret` field, else REG_SECRET, else wharf-cmd's
  // default `gitlab-registry` (already set as the field's default).
  if (!given.has('secret')) setIfDefined(f, 'secret', vars.optional(step, 'REG_SECRET', 'string', false));
  vars.optional(step, 'REG_INSECURE', 'boolean');
}

/** The instance's Wharf instance id when none is given, as wharf-cmd's default config. */
export const DEFAULT_WHARF_INSTANCE = 'local';

/**
 * wharf-cmd's name of a project's Secret: `wharf-<instance>-project-<PROJECT_ID>-secretname-<name>`.
 * PROJECT_ID is required; the instance is WHARF_INSTANCE, `local` when not given.
 */
function projectSecretName(name: string, field: string, vars: BuiltinReader, problem: Problem): string {
  const project = vars.optionalValue('PROJECT_ID');
  if (project === undefined)
    problem(
      field,
      `missing built-in var: need PROJECT_ID (the Secret is named wharf-<instance>-project-<PROJECT_ID>-secretname-${name})`,
    );
  const instance = vars.optionalValue('WHARF_INSTANCE') ?? DEFAULT_WHARF_INSTANCE;
  return `wharf-${instance}-project-${project ?? ''}-secretname-${name}`;
}

/** Reads built-in variables for the rules, reporting missing or mistyped ones. */
class BuiltinReader {
  private readonly lookup: Lookup;
  private readonly problem: Problem;

  constructor(lookup: Lookup, problem: Problem) {
    this.lookup = lookup;
    this.problem = problem;
  }

  /** `a/b` from required built-ins, for a field's default. */
  defaultFrom(field: string, names: string[]): string {
    return names.map((n) => this.required(field, n)).join('/');
  }

  required(field: string, name: string): string {
    const value = this.get(field, name);
    if (value === undefined) this.problem(field, `eval '${field}' default: missing built-in var: need ${name}`);
    else if (typeof value !== 'string')
      this.problem(field, `eval '${field}' default: ${name} must be a string, got ${typeof value}`);
    return value === undefined ? '' : String(value);
  }

  /** A built-in as text when defined (any scalar type). */
  optionalValue(name: string): string | undefined {
    const value = this.get('', name);
    return value === undefined ? undefined : String(value);
  }

  optional(step: StepDefinition, name: string, type: 'string' | 'boolean', keep = true): string | undefined {
    const value = this.get('', name);
    if (value === undefined) return undefined;
    if (typeof value !== type) {
      this.problem('', `built-in var ${name} must be a ${type}, got ${typeof value}`);
      return undefined;
    }
    if (keep) step.builtins[name] = value;
    return String(value);
  }

  private get(field: string, name: string): Value | undefined {
    try {
      // A built-in defined as null counts as not given.
      return lookupVariable(name, this.lookup) ?? undefined;
    } catch (err) {
      if (!(err instanceof VariableCycleError)) throw err;
      this.problem(field, err.message);
      return undefined;
    }
  }
}

function list(v: Fields[string] | undefined): string[] {
  return Array.isArray(v) ? v : [];
}

function setIfDefined(f: Fields, key: string, value: string | undefined): void {
  if (value !== undefined) f[key] = value;
}
