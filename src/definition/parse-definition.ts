// Parses and validates a .wharf-ci.yml: every error at once, each with its position and
// scope path, and stages and steps in file order. Variables are substituted into the
// step fields (not into `inputs` and `environments`, which are variable sources).
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { RunsIf, StepType } from '../plan/build-plan.ts';
import { substitute, VariableCycleError, type Lookup } from '../varsub/substitute.ts';
import type { DefinitionError } from './definition-error.ts';
import { kubernetesName } from './kubernetes-name.ts';
import { applyStepRules } from './step-rules.ts';
import { STEP_TYPE_NAMES, STEP_TYPES, type FieldSpec } from './step-types.ts';
import type { BuildDefinition, InputDefinition, StageDefinition, StepDefinition, Value } from './types.ts';
import { kindOf, YamlWalker } from './yaml-walk.ts';

const RESERVED = new Set(['inputs', 'environments']);
const RUNS_IF: RunsIf[] = ['success', 'fail', 'always'];
const INPUT_TYPES = ['string', 'choice', 'number', 'password'] as const;

export interface ParseResult {
  definition: BuildDefinition;
  errors: DefinitionError[];
}

/**
 * Parses `text`. `variablesFor` is called once inputs and environments are read, and
 * returns the lookup used to substitute variables in step fields.
 */
export function parseDefinition(file: string, text: string, variablesFor: (d: Omit<BuildDefinition, 'stages'>) => Lookup = () => () => undefined): ParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, merge: true, prettyErrors: false, strict: true });
  const errors: DefinitionError[] = [];
  const definition: BuildDefinition = { inputs: [], environments: {}, stages: [] };
  const walker = new YamlWalker(doc, lines);
  const fail = (node: unknown, path: string, message: string): void => {
    errors.push({ file, ...walker.position(node), path, message });
  };
  for (const e of doc.errors) {
    const pos = lines.linePos(e.pos[0]);
    errors.push({ file, line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0] ?? e.message });
  }
  if (doc.errors.some((e) => e.code !== 'DUPLICATE_KEY')) return { definition, errors };
  const root = walker.resolve(doc.contents);
  if (root === null) {
    fail(null, '', 'the file is empty: a build needs at least one stage');
    return { definition, errors };
  }
  if (!isMap(root)) {
    fail(root, '', `expected a map of stages, got ${kindOf(root)}`);
    return { definition, errors };
  }
  const entries = walker.entries(root);
  for (const entry of entries) {
    if (entry.key === 'inputs') definition.inputs = readInputs(walker, entry.value, fail);
    if (entry.key === 'environments') definition.environments = readEnvironments(walker, entry.value, fail);
  }
  let lookup: Lookup;
  try {
    lookup = variablesFor(definition);
  } catch (err) {
    fail(root, '', err instanceof Error ? err.message : String(err));
    return { definition, errors };
  }
  for (const entry of entries) {
    if (RESERVED.has(entry.key)) continue;
    const stage = readStage(walker, entry.key, entry.keyNode, entry.value, definition, lookup, fail);
    if (stage) definition.stages.push(stage);
  }
  if (definition.stages.length === 0 && errors.length === 0) fail(root, '', 'a build needs at least one stage');
  return { definition, errors };
}

type Fail = (node: unknown, path: string, message: string) => void;

function readInputs(walker: YamlWalker, node: Node | null, fail: Fail): InputDefinition[] {
  if (!isSeq(node)) {
    fail(node, 'inputs', `expected a list of inputs, got ${kindOf(node)}`);
    return [];
  }
  const inputs: InputDefinition[] = [];
  const names = new Set<string>();
  walker.items(node).forEach((item, index) => {
    const path = `inputs/${index}`;
    if (!isMap(item)) return fail(item, path, `expected an input (a map), got ${kindOf(item)}`);
    const fields = new Map(walker.entries(item).map((e) => [e.key, e]));
    const name = scalar(fields.get('name')?.value ?? null);
    const type = scalar(fields.get('type')?.value ?? null);
    if (typeof name !== 'string' || !name) return fail(item, `${path}/name`, 'missing required field');
    if (names.has(name)) return fail(fields.get('name')!.value, `inputs/${name}/name`, `duplicate input name '${name}'`);
    names.add(name);
    if (!INPUT_TYPES.includes(type as (typeof INPUT_TYPES)[number])) {
      return fail(fields.get('type')?.value ?? item, `inputs/${name}/type`, `input type must be one of ${INPUT_TYPES.join(', ')}, got ${type === undefined ? 'nothing' : JSON.stringify(type)}`);
    }
    const input: InputDefinition = { name, type: type as InputDefinition['type'], default: null, values: [] };
    const def = fields.get('default')?.value ?? null;
    if (def !== null) input.default = scalar(def) ?? null;
    if (input.type === 'number' && input.default !== null && typeof input.default !== 'number') {
      fail(def, `inputs/${name}/default`, `a number input needs a number default, got ${kindOf(def)}`);
    }
    if (input.type === 'choice') {
      const values = fields.get('values')?.value ?? null;
      if (!isSeq(values) || walker.items(values).length === 0) fail(values ?? item, `inputs/${name}/values`, 'a choice input needs a non-empty list of values');
      else input.values = walker.items(values).map((v) => scalar(v)).filter((v): v is Value => v !== undefined);
      if (input.default !== null && input.values.length && !input.values.includes(input.default)) {
        fail(def, `inputs/${name}/default`, `default ${JSON.stringify(input.default)} is not one of the values`);
      }
    }
    for (const key of fields.keys()) {
      if (!['name', 'type', 'default', 'values'].includes(key)) fail(fields.get(key)!.keyNode, `inputs/${name}/${key}`, 'unknown field');
    }
    inputs.push(input);
  });
  return inputs;
}

function readEnvironments(walker: YamlWalker, node: Node | null, fail: Fail): Record<string, Record<string, Value>> {
  if (!isMap(node)) {
    fail(node, 'environments', `expected a map of environments, got ${kindOf(node)}`);
    return {};
  }
  const environments: Record<string, Record<string, Value>> = {};
  for (const env of walker.entries(node)) {
    const vars: Record<string, Value> = {};
    if (env.value !== null && !isMap(env.value)) {
      fail(env.value, `environments/${env.key}`, `expected a map of variables, got ${kindOf(env.value)}`);
      continue;
    }
    if (env.value) {
      for (const v of walker.entries(env.value)) {
        const value = scalar(v.value);
        if (value === undefined) fail(v.value, `environments/${env.key}/${v.key}`, `expected a string, number or boolean, got ${kindOf(v.value)}`);
        else vars[v.key] = value;
      }
    }
    environments[env.key] = vars;
  }
  return environments;
}

function readStage(
  walker: YamlWalker, name: string, keyNode: unknown, node: Node | null,
  definition: Omit<BuildDefinition, 'stages'>, lookup: Lookup, fail: Fail,
): StageDefinition | null {
  const path = name;
  if (!kubernetesName(name)) fail(keyNode, path, `stage name '${name}' cannot become a Kubernetes name (use letters, digits, '-', '_' or '.')`);
  if (node === null || (isMap(node) && walker.entries(node).length === 0)) {
    fail(node ?? keyNode, path, 'empty stage: a stage needs at least one step');
    return null;
  }
  if (!isMap(node)) {
    fail(node, path, `expected a stage (a map of steps), got ${kindOf(node)}`);
    return null;
  }
  const stage: StageDefinition = { name, runsIf: 'success', environments: [], steps: [] };
  const stepNames = new Map<string, string>();
  for (const entry of walker.entries(node)) {
    if (entry.key === 'environments') {
      if (!isSeq(entry.value)) {
        fail(entry.value, `${path}/environments`, `expected a list of environment names, got ${kindOf(entry.value)}`);
        continue;
      }
      for (const item of walker.items(entry.value)) {
        const env = scalar(item);
        if (typeof env !== 'string') fail(item, `${path}/environments`, `expected an environment name, got ${kindOf(item)}`);
        else if (!Object.hasOwn(definition.environments, env)) fail(item, `${path}/environments`, `unknown environment '${env}'`);
        else stage.environments.push(env);
      }
    } else if (entry.key === 'runs-if' || entry.key === 'run-if') {
      const value = scalar(entry.value);
      if (!RUNS_IF.includes(value as RunsIf)) fail(entry.value, `${path}/${entry.key}`, `runs-if must be one of ${RUNS_IF.join(', ')}, got ${JSON.stringify(value ?? null)}`);
      else stage.runsIf = value as RunsIf;
    } else {
      const step = readStep(walker, `${path}/${entry.key}`, entry.key, entry.keyNode, entry.value, lookup, fail);
      if (!step) continue;
      const k8s = kubernetesName(step.name);
      const clash = k8s ? stepNames.get(k8s) : undefined;
      if (clash) fail(entry.keyNode, `${path}/${entry.key}`, `step names '${clash}' and '${step.name}' become the same Kubernetes name '${k8s}'`);
      else if (k8s) stepNames.set(k8s, step.name);
      stage.steps.push(step);
    }
  }
  if (stage.steps.length === 0 && walker.entries(node).every((e) => e.key === 'environments' || e.key === 'runs-if')) {
    fail(keyNode, path, 'empty stage: a stage needs at least one step');
  }
  return stage;
}

function readStep(walker: YamlWalker, path: string, name: string, keyNode: unknown, node: Node | null, lookup: Lookup, fail: Fail): StepDefinition | null {
  if (!kubernetesName(name)) fail(keyNode, path, `step name '${name}' cannot become a Kubernetes name (use letters, digits, '-', '_' or '.')`);
  if (!isMap(node)) {
    fail(node ?? keyNode, path, `expected a step (a map with one step type), got ${kindOf(node)}`);
    return null;
  }
  const entries = walker.entries(node);
  const types = entries.filter((e) => STEP_TYPE_NAMES.includes(e.key as StepType));
  for (const unknown of entries.filter((e) => !STEP_TYPE_NAMES.includes(e.key as StepType))) {
    fail(unknown.keyNode, `${path}/${unknown.key}`, `unknown step type '${unknown.key}' (expected one of ${STEP_TYPE_NAMES.join(', ')})`);
  }
  if (types.length === 0) {
    if (entries.length === 0) fail(node, path, `missing step type (one of ${STEP_TYPE_NAMES.join(', ')})`);
    return null;
  }
  if (types.length > 1) {
    fail(types[1]!.keyNode, path, `a step has exactly one step type, got ${types.map((t) => t.key).join(' and ')}`);
    return null;
  }
  const typeEntry = types[0]!;
  const type = typeEntry.key as StepType;
  const typePath = `${path}/${type}`;
  if (!isMap(typeEntry.value)) {
    fail(typeEntry.value ?? typeEntry.keyNode, typePath, `expected the ${type} step's fields (a map), got ${kindOf(typeEntry.value)}`);
    return null;
  }
  const given = new Map(walker.entries(typeEntry.value).map((e) => [e.key, e]));
  const fields: StepDefinition['fields'] = {};
  for (const [field, spec] of Object.entries(STEP_TYPES[type])) {
    const entry = given.get(field);
    const where = entry?.value ?? entry?.keyNode ?? typeEntry.keyNode;
    const value = entry ? readField(walker, entry.value, spec, lookup, (message) => fail(where, `${typePath}/${field}`, message)) : defaultValue(spec, lookup);
    if (value === undefined) {
      if (spec.required && !entry) fail(typeEntry.keyNode, `${typePath}/${field}`, 'missing required field');
      continue;
    }
    fields[field] = value;
  }
  const step: StepDefinition = { name, type, fields };
  for (const problem of applyStepRules(step, lookup)) {
    const entry = given.get(problem.field);
    fail(entry?.value ?? entry?.keyNode ?? typeEntry.keyNode, `${typePath}/${problem.field}`, problem.message);
  }
  return step;
}

function readField(walker: YamlWalker, node: Node | null, spec: FieldSpec, lookup: Lookup, fail: (m: string) => void): Value | Value[] | Record<string, Value> | undefined {
  const sub = (v: Value): Value | undefined => {
    if (typeof v !== 'string') return v;
    try {
      return substitute(v, lookup);
    } catch (err) {
      if (err instanceof VariableCycleError) fail(err.message);
      else throw err;
      return undefined;
    }
  };
  switch (spec.kind) {
    case 'strings': {
      if (!isSeq(node)) return void fail(`expected a list of strings, got ${kindOf(node)}`);
      const out: string[] = [];
      for (const item of walker.items(node)) {
        const raw = scalar(item);
        const v = raw === undefined ? undefined : sub(raw);
        if (typeof v === 'string') out.push(v);
        else if (typeof raw === 'string' && v !== undefined) out.push(String(v)); // a lone ${x} of another type, as text in a list
        else fail(`expected a list of strings, got ${kindOf(item)} in it`);
      }
      return out;
    }
    case 'map': {
      if (!isMap(node)) return void fail(`expected a map, got ${kindOf(node)}`);
      const out: Record<string, Value> = {};
      for (const e of walker.entries(node)) {
        const raw = scalar(e.value);
        if (raw === undefined) fail(`expected ${e.key} to be a string, number or boolean, got ${kindOf(e.value)}`);
        else out[e.key] = sub(raw) ?? raw;
      }
      return out;
    }
    default: {
      const raw = scalar(node);
      if (raw === undefined) return void fail(`expected ${article(spec.kind)}, got ${kindOf(node)}`);
      const v = sub(raw);
      if (v === undefined) return undefined;
      if (typeof v !== spec.kind) return void fail(`expected ${article(spec.kind)}, got ${typeof raw === 'string' && typeof v !== 'string' ? `${kindOf(node)} holding ${typeof v === 'number' ? 'a number' : 'a boolean'}` : kindOf(node)}`);
      return v;
    }
  }
}

function defaultValue(spec: FieldSpec, lookup: Lookup): Value | Value[] | undefined {
  if (spec.default === undefined) return undefined;
  if (Array.isArray(spec.default)) return spec.default;
  return typeof spec.default === 'string' ? substitute(spec.default, lookup) : spec.default;
}

function scalar(node: Node | null): Value | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
}

function article(kind: string): string {
  return kind === 'string' ? 'a string' : kind === 'number' ? 'a number' : `a ${kind}`;
}
