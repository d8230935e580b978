// One step: a map holding exactly one step type, whose fields are read with strict
// types, variables substituted, defaults and rules applied.
import { isMap, type Node } from 'yaml';
import { MAX_BUILD_ID_LENGTH, TEMPORAL_MAX_ID_BYTES } from '../limits/definition-limits.ts';
import type { Lookup, VarValue } from '../varsub/substitute.ts';
import { kubernetesName } from './kubernetes-name.ts';
import { readField } from './read-field.ts';
import type { Reporter } from '../yaml/reporter.ts';
import { kubernetesNameProblems } from './kubernetes-rules.ts';
import { applyStepRules } from './step-rules.ts';
import { isStepType, STEP_TYPE_NAMES, STEP_TYPES } from './step-types.ts';
import type { StepDefinition, StepType } from './types.ts';
import { kindOf, type MapEntry } from '../yaml/yaml-walk.ts';

/** The longest the workflow id of a step can be, in bytes: `<build id>.<stage>.<step>`. */
export function stepWorkflowIdBytes(stage: string, step: string): number {
  return MAX_BUILD_ID_LENGTH + Buffer.byteLength(`.${stage}.${step}`, 'utf8');
}

export interface StepContext {
  r: Reporter;
  lookup: Lookup;
  substitute: (text: string, node: Node | null, path: string) => VarValue | undefined;
}

export function readStep(entry: MapEntry, stagePath: string, ctx: StepContext): StepDefinition | null {
  const { r } = ctx;
  const name = entry.key;
  const path = `${stagePath}/${name}`;
  if (name === '') r.error(entry.keyNode, path, 'step name cannot be empty');
  else if (!kubernetesName(name))
    r.error(
      entry.keyNode,
      path,
      `step name '${name}' cannot become a Kubernetes name (use letters, digits, '-', '_', '.' or spaces, starting with a letter or digit)`,
    );
  const idBytes = stepWorkflowIdBytes(stagePath, name);
  if (idBytes > TEMPORAL_MAX_ID_BYTES)
    r.error(
      entry.keyNode,
      path,
      `stage and step names too long: the step's workflow id would be up to ${idBytes} bytes, Temporal allows ${TEMPORAL_MAX_ID_BYTES}`,
    );
  const node = entry.value;
  if (!isMap(node)) {
    r.error(node ?? entry.keyNode, path, `expected a step (a map with one step type), got ${kindOf(node)}`);
    return null;
  }
  const entries = r.walker.entries(node);
  const types = entries.filter((e) => e.keyIsString && isStepType(e.key));
  for (const other of entries.filter((e) => !types.includes(e))) {
    r.error(
      other.keyNode,
      `${path}/${other.key}`,
      `unknown step type '${other.key}' (expected one of ${STEP_TYPE_NAMES.join(', ')})`,
    );
  }
  if (entries.length === 0) r.error(node, path, `missing a step type (one of ${STEP_TYPE_NAMES.join(', ')})`);
  if (types.length > 1)
    r.error(
      types[1]!.keyNode,
      path,
      `contains multiple step types: ${types.map((t) => t.key).join(', ')}; a step has exactly one`,
    );
  // Every type is read, so all their errors show at once; only a single one makes a step.
  const steps = types.map((t) => readStepType(name, t, path, ctx));
  return types.length === 1 ? (steps[0] ?? null) : null;
}

function readStepType(name: string, entry: MapEntry, stepPath: string, ctx: StepContext): StepDefinition | null {
  const { r } = ctx;
  const type = entry.key as StepType;
  const path = `${stepPath}/${type}`;
  if (!isMap(entry.value)) {
    r.error(
      entry.value ?? entry.keyNode,
      path,
      `expected the ${type} step's fields (a map), got ${kindOf(entry.value)}`,
    );
    return null;
  }
  const given = new Map(r.walker.entries(entry.value).map((e) => [e.key, e]));
  const step: StepDefinition = { name, type, fields: {}, builtins: {}, at: r.position(entry.keyNode), unrunnable: [] };
  for (const [field, spec] of Object.entries(STEP_TYPES[type])) {
    const e = given.get(field);
    if (!e) {
      if (spec.required) r.error(entry.keyNode, `${path}/${field}`, 'missing required field');
      else if (spec.default !== undefined) step.fields[field] = spec.default;
      continue;
    }
    const fieldPath = `${path}/${field}`;
    const before = r.errors.length;
    const value = readField(e.value, spec.kind, {
      walker: r.walker,
      report: (node, message, suffix = '') => r.error(node ?? e.keyNode, `${fieldPath}${suffix}`, message),
      substitute: (text, node, suffix = '') => ctx.substitute(text, node, `${fieldPath}${suffix}`),
    });
    if (value === undefined) continue;
    // A field whose items were reported already is not also "missing".
    const reported = r.errors.length > before;
    if (spec.required && !reported && (value === '' || (Array.isArray(value) && value.length === 0)))
      r.error(e.value, fieldPath, 'missing required field');
    step.fields[field] = value;
  }
  for (const [key, e] of given) {
    if (!Object.hasOwn(STEP_TYPES[type], key)) r.warn(e.keyNode, `${path}/${key}`, `unknown field '${key}' is ignored`);
  }
  const where = (field: string): Node | null => given.get(field)?.value ?? given.get(field)?.keyNode ?? entry.keyNode;
  for (const problem of applyStepRules(step, new Set(given.keys()), ctx.lookup)) {
    r.error(where(problem.field), problem.field ? `${path}/${problem.field}` : path, problem.message);
  }
  step.unrunnable = kubernetesNameProblems(step).map((p) => r.locate(where(p.field), `${path}/${p.field}`, p.message));
  return step;
}
