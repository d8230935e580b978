// The plain-data contract between the front end (parse, substitute, translate) and the
// workflows. Everything here is JSON-serialisable: it travels as workflow input and is
// stored in Temporal history, so it must never hold secrets in clear text beyond what
// the pod spec itself needs, and never functions or class instances.
import type { V1Pod } from '@kubernetes/client-node';
import type { RunsIf, StepType } from '../definition/types.ts';

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

/**
 * Where a step gets the source, and which of it. Steps with file filters (helm's
 * `files`, kubectl's `file`/`files`) get only those files, with variables substituted
 * in their contents, as Wharf does.
 */
export interface SourcePlacement {
  container: string;
  path: string;
  onlyFiles?: string[];
  /** Variables to substitute in the transferred files (never password inputs). */
  variables?: Record<string, string | number | boolean>;
}

export interface StepPlan {
  name: string;
  type: StepType;
  /**
   * The pod that runs the step. Its main container stays alive (a keep-alive command)
   * while the worker execs `exec.command` in it; name, namespace, labels and
   * annotations are already final.
   */
  pod: V1Pod;
  /** The command the worker execs in the running pod; its exit code is the step's outcome. */
  exec: { container: string; command: string[]; shell?: string };
  /** Where the build's source tree is placed in the pod, or null when the step needs none. */
  source: SourcePlacement | null;
  /** Values to mask as `***` in logs (only in hand-made plans: a planned build keeps them in its Secret). */
  secrets: string[];
  /**
   * The build's own Kubernetes Secret, which holds its secret values (password inputs,
   * credentials) so that they stay out of the plan and so out of workflow history; the
   * worker reads it to mask them in logs.
   */
  secretName?: string;
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

/** A reference to a secret value, written where the value would be: `${WHARF_SECRET_NAME}`. */
export const SECRET_REFERENCE = /\$\{WHARF_SECRET_[A-Z0-9_]+\}/g;
