// Turns errors into Temporal failures: transient Kubernetes trouble is rethrown so the
// activity is retried; a permanent rejection fails it for good with the API's message.
import { ApplicationFailure } from '@temporalio/common';
import { describeApiError } from '../src/kube/api-error.ts';

export function kubernetesFailure(err: unknown, doing: string): Error {
  const info = describeApiError(err);
  if (info.transient) return err instanceof Error ? err : new Error(String(err));
  return ApplicationFailure.nonRetryable(`${doing}: ${info.message}`, info.reason ?? 'KubernetesApiError');
}

export function permanentFailure(message: string, type: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}

/** Failure types the step activities end a step with for good, besides the API's own reasons. */
export const FAILURE_TYPES = {
  /** The step's pod uses a service account or Secret the worker's policy does not allow. */
  stepNotAllowed: 'StepNotAllowed',
  /** The build's own Secret is gone (the build is over, or it was deleted by hand). */
  buildSecretMissing: 'BuildSecretMissing',
} as const;
