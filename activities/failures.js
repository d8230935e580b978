// Turns errors into Temporal failures: transient Kubernetes trouble is rethrown so the
// activity is retried; a permanent rejection fails it for good with the API's message.
import { ApplicationFailure } from '@temporalio/common';
import { describeApiError } from '../src/kube/api-error.js';
export function kubernetesFailure(err, doing) {
    const info = describeApiError(err);
    if (info.transient)
        return err instanceof Error ? err : new Error(String(err));
    return ApplicationFailure.nonRetryable(`${doing}: ${info.message}`, info.reason ?? 'KubernetesApiError');
}
export function permanentFailure(message, type) {
    return ApplicationFailure.nonRetryable(message, type);
}
