// The parsed build definition: what a .wharf-ci.yml says, in file order.
import type { RunsIf, StepType } from '../plan/build-plan.ts';

export type Value = string | number | boolean;

export interface InputDefinition {
  name: string;
  type: 'string' | 'choice' | 'number' | 'password';
  default: Value | null;
  values: Value[];
}

export interface StepDefinition {
  name: string;
  type: StepType;
  /** The step type's fields, variables substituted, defaults applied. */
  fields: Record<string, Value | Value[] | Record<string, Value>>;
}

export interface StageDefinition {
  name: string;
  runsIf: RunsIf;
  environments: string[];
  steps: StepDefinition[];
}

export interface BuildDefinition {
  inputs: InputDefinition[];
  environments: Record<string, Record<string, Value>>;
  stages: StageDefinition[];
}
