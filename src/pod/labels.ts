// Every label and annotation wharf-temporal puts on the pods and Secrets it makes, and
// the selectors its watch and its sweeper use: one set, so that what is written and
// what is looked for never drift apart.
import { createHash } from 'node:crypto';
import { labelValue } from './pod-name.ts';

export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  name: 'app.kubernetes.io/name',
  buildId: 'wharf-temporal/build-id',
  stage: 'wharf-temporal/stage',
  step: 'wharf-temporal/step',
  /** Which deployment (Temporal address, namespace and task queue) made it: its sweeper's alone. */
  deployment: 'wharf-temporal/deployment',
} as const;

/** The exact names (labels are cut to 63 safe characters). */
export const ANNOTATIONS = {
  buildId: 'wharf-temporal/build-id',
  stage: 'wharf-temporal/stage',
  step: 'wharf-temporal/step',
  stepType: 'wharf-temporal/step-type',
} as const;

export const MANAGED_BY = 'wharf-temporal';
export const STEP_POD_NAME = 'wharf-step';

/**
 * The labels that prove a pod found by name is the step's own, as the plan sets them
 * (adoption after a retry, deletion; creation checks the deployment label too).
 */
export const IDENTITY_LABELS: readonly string[] = [LABELS.buildId, LABELS.stage, LABELS.step];

/** Everything wharf-temporal made, of any deployment. */
export const MANAGED_BY_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY}`;

/** What one deployment made: the only things its watch follows and its sweeper deletes. */
export function deploymentSelector(deployment: string): string {
  return `${MANAGED_BY_SELECTOR},${LABELS.deployment}=${deployment}`;
}

/**
 * A deployment's identity when none is set: the same for every worker (and CLI) of one
 * Temporal address, namespace and task queue, different for any other.
 */
export function defaultDeploymentId(temporalAddress: string, temporalNamespace: string, taskQueue: string): string {
  const hash = createHash('sha256')
    .update(`${temporalAddress}\u0000${temporalNamespace}\u0000${taskQueue}`)
    .digest('hex')
    .slice(0, 16);
  return `${
    labelValue(taskQueue)
      .slice(0, 40)
      .replace(/[^A-Za-z0-9]+$/, '') || 'queue'
  }-${hash}`;
}

/** An identity as set by a user: a valid label value, or an error naming the setting. */
export function checkDeploymentId(value: string, setting: string): string {
  if (!/^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/.test(value)) {
    throw new Error(
      `${setting}: '${value}' is not a valid label value (1-63 of A-Z a-z 0-9 - _ ., starting and ending alphanumeric)`,
    );
  }
  return value;
}
