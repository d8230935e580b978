// One stage: its steps in file order, its `environments` filter and its run condition.
// wharf-cmd's parser spells the condition `runs-if`; its docs spell it `run-if`, so both
// are read. Variables are substituted in the condition and the filter too, as wharf-cmd.
import { isMap, isSeq } from 'yaml';
import { TEMPORAL_MAX_PENDING_CHILDREN } from '../limits/definition-limits.ts';
import { kubernetesName } from './kubernetes-name.ts';
import { readStep, type StepContext } from './read-step.ts';
import type { Declarations, RunsIf, StageDefinition } from './types.ts';
import { isNull, kindOf, scalarValue, type MapEntry } from '../yaml/yaml-walk.ts';

const RUNS_IF: RunsIf[] = ['success', 'fail', 'always'];
const RUN_CONDITION_KEYS = ['runs-if', 'run-if'];

export function readStage(entry: MapEntry, declared: Declarations, ctx: StepContext): StageDefinition | null {
  const { r } = ctx;
  const name = entry.key;
  const path = name;
  if (!kubernetesName(name))
    r.error(
      entry.keyNode,
      path,
      `stage name '${name}' cannot become a Kubernetes name (use letters, digits, '-', '_', '.' or spaces, starting with a letter or digit)`,
    );
  const node = entry.value;
  if (!isMap(node)) {
    r.error(
      node ?? entry.keyNode,
      path,
      isNull(node) ? 'stage is missing steps' : `expected a stage (a map of steps), got ${kindOf(node)}`,
    );
    return null;
  }
  const stage: StageDefinition = {
    name,
    runsIf: 'success',
    environments: [],
    steps: [],
    at: r.position(entry.keyNode),
  };
  const byKubernetesName = new Map<string, string>();
  let stepCount = 0;
  const conditions = r.walker.entries(node).filter((e) => RUN_CONDITION_KEYS.includes(e.key));
  if (conditions.length > 1)
    r.error(
      conditions[1]!.keyNode,
      `${path}/${conditions[1]!.key}`,
      'give the run condition once (runs-if or run-if, not both)',
    );
  for (const e of r.walker.entries(node)) {
    if (!e.keyIsString) {
      r.error(e.keyNode, path, `a step name must be a string, got ${kindOf(e.keyNode)}`);
    } else if (e.key === 'environments') {
      stage.environments = readFilter(e, path, declared, ctx);
    } else if (RUN_CONDITION_KEYS.includes(e.key)) {
      stage.runsIf = readRunsIf(e, `${path}/${e.key}`, ctx) ?? stage.runsIf;
    } else {
      stepCount++;
      const step = readStep(e, path, ctx);
      if (!step) continue;
      const label = kubernetesName(step.name);
      const clash = label ? byKubernetesName.get(label) : undefined;
      // Equal names are duplicate keys, reported by the YAML reader already.
      if (clash !== undefined && clash !== step.name)
        r.error(
          e.keyNode,
          `${path}/${e.key}`,
          `step names '${clash}' and '${step.name}' become the same Kubernetes name '${label}'`,
        );
      else if (label) byKubernetesName.set(label, step.name);
      stage.steps.push(step);
    }
  }
  if (stepCount === 0) r.error(entry.keyNode, path, 'stage is missing steps');
  // The steps of a stage run as child workflows all at once.
  if (stepCount > TEMPORAL_MAX_PENDING_CHILDREN)
    r.error(
      entry.keyNode,
      path,
      `stage has ${stepCount} steps; they run at once as child workflows, and Temporal allows ${TEMPORAL_MAX_PENDING_CHILDREN} pending`,
    );
  return stage;
}

function readRunsIf(e: MapEntry, path: string, ctx: StepContext): RunsIf | null {
  const raw = scalarValue(e.value);
  const value = typeof raw === 'string' ? ctx.substitute(raw, e.value, path) : raw;
  if (value === undefined && raw !== undefined) return null;
  if (typeof value !== 'string') {
    ctx.r.error(e.value ?? e.keyNode, path, `expected a string, got ${kindOf(e.value)}`);
    return null;
  }
  const condition = value.toLowerCase() as RunsIf; // wharf-cmd compares case-insensitively
  if (RUNS_IF.includes(condition)) return condition;
  ctx.r.error(e.value, path, `invalid run condition: '${value}' must be one of 'always', 'success', or 'fail'`);
  return null;
}

function readFilter(e: MapEntry, stagePath: string, declared: Declarations, ctx: StepContext): string[] {
  const { r } = ctx;
  const path = `${stagePath}/environments`;
  if (!isSeq(e.value)) {
    r.error(
      e.value ?? e.keyNode,
      path,
      `stage environments should be a list of environment names, got ${kindOf(e.value)}`,
    );
    return [];
  }
  const names: string[] = [];
  r.walker.items(e.value).forEach((item, i) => {
    const raw = scalarValue(item);
    if (typeof raw !== 'string')
      return r.error(item, `${path}[${i}]`, `stage environment element should be a string, got ${kindOf(item)}`);
    const value = ctx.substitute(raw, item, `${path}[${i}]`);
    if (value === undefined) return;
    if (typeof value !== 'string')
      r.error(
        item,
        `${path}[${i}]`,
        `stage environment element should be a string, got ${typeof value} from ${JSON.stringify(raw)}`,
      );
    else if (value === '') r.error(item, `${path}[${i}]`, 'environment name cannot be empty');
    else if (!Object.hasOwn(declared.environments, value))
      r.error(item, `${path}[${i}]`, `use of undefined environment "${value}"`);
    else names.push(value);
  });
  return names;
}
