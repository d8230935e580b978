// One step of a build plan, as the translator makes it from the step's definition: the
// pod that runs it, the command the worker execs in that pod and where the source goes.
// Plain data, like the rest of the plan (src/plan/build-plan.ts).
import type { V1Pod } from '@kubernetes/client-node';
import type { StepType } from '../definition/types.ts';

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
