// Turns errors into Temporal failures: transient Kubernetes trouble is rethrown so the
// activity is retried; a permanent rejection fails it for good with the API's message.
import { ApplicationFailure } from '@temporalio/common';
import { describeApiError } from '../src/kube/api-error.ts';

/**
 * The failure types the step activities report (besides the API server's own reasons and
 * the readiness reasons of pod-readiness.ts). Matched by identity, never by message.
 */
export const FailureType = {
  InvalidPod: 'InvalidPod',
  PodNameTaken: 'PodNameTaken',
  PodGone: 'PodGone',
  PodPendingTimeout: 'PodPendingTimeout',
  KubernetesApiError: 'KubernetesApiError',
  CommandStartFailed: 'CommandStartFailed',
  FollowerProtocolError: 'FollowerProtocolError',
  /** The command ran past its budget, counted from its pod being ready. */
  RunBudgetExceeded: 'RunBudgetExceeded',
  SourceFileMissing: 'SourceFileMissing',
  SourceUnreadable: 'SourceUnreadable',
  SourceListingFailed: 'SourceListingFailed',
  SourceTransferFailed: 'SourceTransferFailed',
  /** The step's pod uses a service account or Secret the worker's policy does not allow. */
  StepNotAllowed: 'StepNotAllowed',
  /** The build's own Secret is gone (the build is over, or it was deleted by hand). */
  BuildSecretMissing: 'BuildSecretMissing',
} as const;

export function kubernetesFailure(err: unknown, doing: string): Error {
  const info = describeApiError(err);
  if (info.transient) return err instanceof Error ? err : new Error(String(err));
  return ApplicationFailure.nonRetryable(`${doing}: ${info.message}`, info.reason ?? FailureType.KubernetesApiError);
}

export function permanentFailure(message: string, type: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}
