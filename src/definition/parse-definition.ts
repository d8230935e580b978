// Parses and validates a .wharf-ci.yml: every error at once, each with its position and
// scope path, sorted by position, and stages and steps in file order. Variables are
// substituted into the stages (not into `inputs` and `environments`, which are variable
// sources and get substituted when referenced).
import { isMap } from 'yaml';
import { substitute, VariableCycleError, type Lookup, type VarValue } from '../varsub/substitute.ts';
import { sortErrors, type DefinitionError } from '../yaml/definition-error.ts';
import { readEnvironments } from './read-environments.ts';
import { readInputs } from './read-inputs.ts';
import { readStage } from './read-stage.ts';
import type { StepContext } from './read-step.ts';
import { Reporter } from '../yaml/reporter.ts';
import type { BuildDefinition, Declarations } from './types.ts';
import { loadYaml } from '../yaml/yaml-document.ts';
import { kindOf } from '../yaml/yaml-walk.ts';

export interface ParseResult {
  definition: BuildDefinition;
  errors: DefinitionError[];
  warnings: DefinitionError[];
}

/** Called once inputs and environments are read; returns the variables for the stages. */
export type VariablesFor = (declared: Declarations) => Lookup;

const RESERVED = new Set(['inputs', 'environments']);

export function parseDefinition(
  file: string,
  text: string,
  variablesFor: VariablesFor = () => () => undefined,
): ParseResult {
  const definition: BuildDefinition = {
    inputs: [],
    environments: {},
    inputsAt: null,
    environmentsAt: null,
    stages: [],
  };
  const loaded = loadYaml(file, text);
  const done = (r?: Reporter): ParseResult => ({
    definition,
    errors: sortErrors([...loaded.errors, ...(r?.errors ?? [])]),
    warnings: sortErrors([...loaded.warnings, ...(r?.warnings ?? [])]),
  });
  if (!loaded.walker) {
    if (loaded.errors.length === 0)
      loaded.errors.push({
        file,
        line: 1,
        column: 1,
        path: '',
        message: 'empty document: a build needs at least one stage',
      });
    return done();
  }
  const r = new Reporter(file, loaded.walker);
  const root = loaded.root;
  if (root === null) {
    r.error({ line: 1, column: 1 }, '', 'empty document: a build needs at least one stage');
    return done(r);
  }
  if (!isMap(root)) {
    r.error(root, '', `the document must be a map of stages, got ${kindOf(root)}`);
    return done(r);
  }
  const entries = r.walker.entries(root);
  for (const e of entries) {
    if (!e.keyIsString) r.error(e.keyNode, '', `a stage name must be a string, got ${kindOf(e.keyNode)}`);
    else if (e.key === 'inputs')
      [definition.inputs, definition.inputsAt] = [readInputs(e.value, r), r.position(e.keyNode)];
    else if (e.key === 'environments')
      [definition.environments, definition.environmentsAt] = [readEnvironments(e.value, r), r.position(e.keyNode)];
  }
  const lookup = variablesFor(definition);
  const ctx: StepContext = {
    r,
    lookup,
    substitute: (value, node, path): VarValue | undefined => {
      try {
        return substitute(value, lookup);
      } catch (err) {
        if (!(err instanceof VariableCycleError)) throw err;
        r.error(node, path, err.message);
        return undefined;
      }
    },
  };
  for (const e of entries) {
    if (!e.keyIsString || RESERVED.has(e.key)) continue;
    const stage = readStage(e, definition, ctx);
    if (stage) definition.stages.push(stage);
  }
  if (!entries.some((e) => e.keyIsString && !RESERVED.has(e.key)))
    r.error(root, '', 'missing stages: a build needs at least one stage');
  return done(r);
}
