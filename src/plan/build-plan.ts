// The plain-data contract between the front end (parse, substitute, translate) and the
// workflows. Everything here is JSON-serialisable: it travels as workflow input and is
// stored in Temporal history, so it must never hold secrets in clear text beyond what
// the pod spec itself needs, and never functions or class instances.
import type { RunsIf } from '../definition/types.ts';
import type { StepPlan } from '../pod/step-plan.ts';

/** A fully resolved build, ready to run: variables substituted, pods translated. */
export interface BuildPlan {
  /** Path of the definition file, as given by the user (for messages only). */
  file: string;
  /** The environment chosen with --env, or null when none was chosen. */
  environment: string | null;
  stages: StagePlan[];
}

export interface StagePlan {
  name: string;
  /** Wharf's `runs-if`: when this stage runs given the outcome of the stages before it. */
  runsIf: RunsIf;
  /** Wharf's stage `environments` filter; empty means the stage runs in every environment. */
  environments: string[];
  steps: StepPlan[];
}

/** The build's own Secret: its secret values, the variables for file substitution, a git URL with credentials. */
export function buildSecretName(buildId: string): string {
  return `wharf-${buildId}-inputs`.slice(0, 253);
}

/** Keys of the build Secret that hold secret values, given to steps as environment variables. */
export const SECRET_ENV_PREFIX = 'WHARF_SECRET_';
/** The key of the build Secret that holds the variables substituted in helm and kubectl files (JSON). */
export const FILE_VARIABLES_KEY = 'wharf-file-variables.json';
/** The key of the build Secret that holds a git source URL with credentials. */
export const GIT_URL_KEY = 'wharf-git-url';
