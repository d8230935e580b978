// The parsed build definition: what a .wharf-ci.yml says, in file order, with where each
// part was written (for errors found later, such as a bad --input value).
import type { VarValue } from '../varsub/substitute.ts';
import type { DefinitionError } from '../yaml/definition-error.ts';
import type { Position, ScalarValue } from '../yaml/yaml-walk.ts';

export type { Position };
export type Value = ScalarValue;
export type StepType = 'container' | 'docker' | 'helm' | 'helm-package' | 'kubectl' | 'nuget-package';
/** Wharf's `runs-if`: when a stage runs given the outcome of the stages before it. */
export type RunsIf = 'success' | 'fail' | 'always';
/** A step type field once read: a scalar, a list of strings or a map of strings. */
export type FieldValue = Value | string[] | Record<string, string>;

export type InputType = 'string' | 'choice' | 'number' | 'password';

export interface InputDefinition {
  name: string;
  type: InputType;
  /** As wharf-cmd: an input without a default still defines its variable ("" or 0). */
  default: Value;
  /** A choice input's values. */
  values: string[];
  at: Position;
}

export interface StepDefinition {
  name: string;
  type: StepType;
  /** The step type's fields, variables substituted, defaults applied. */
  fields: Record<string, FieldValue>;
  /** Built-in variables the step type reads (REG_SECRET, REG_INSECURE, ...), when defined. */
  builtins: Record<string, Value>;
  at: Position;
  /** What would stop the step's pod if the step ran (names Kubernetes refuses). */
  unrunnable: DefinitionError[];
}

export interface StageDefinition {
  name: string;
  runsIf: RunsIf;
  environments: string[];
  steps: StepDefinition[];
  at: Position;
}

/** What is known before the stages are read: the variable declarations. */
export interface Declarations {
  inputs: InputDefinition[];
  environments: Record<string, Record<string, VarValue>>;
  /** Where `inputs` and `environments` are written, for errors about them. */
  inputsAt: Position | null;
  environmentsAt: Position | null;
}

export interface BuildDefinition extends Declarations {
  stages: StageDefinition[];
}
