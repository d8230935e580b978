// Creates the step's pod. Idempotent: the name is fixed by the plan, so AlreadyExists
// means an earlier attempt created it; the labels prove it is ours and it is adopted.
// While the cluster cannot be reached, the step's log says so (not every attempt: the
// 1st, 2nd, 4th, 8th, ...), so a user does not watch a silent build.
import { Context } from '@temporalio/activity';
import type { V1Pod } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { describeApiError, isConflict } from '../src/kube/api-error.ts';
import { applyWorkerSettingsToPod } from '../src/pod/apply-worker-settings.ts';
import { IDENTITY_LABELS, LABELS } from '../src/pod/labels.ts';
import type { CreatePodInput, PodRef } from '../workflows/types.ts';
import { pause, type ActivityDeps } from './deps.ts';
import { FailureType, kubernetesFailure, permanentFailure } from './failures.ts';
import { buildSecretName } from '../src/plan/build-plan.ts';
import { DEFAULT_POD_POLICY, podPolicyViolations, withPolicyDefaults } from '../src/pod/pod-policy.ts';
import { remark } from './remark.ts';

export function createPodActivity(deps: ActivityDeps) {
  return async function createPod(input: CreatePodInput): Promise<PodRef> {
    const name = input.pod.metadata?.name;
    if (!name) throw permanentFailure('the step pod has no name', FailureType.InvalidPod);
    refuseOutsidePolicy(input, deps);
    // The plan's pod is checked; the worker's own settings (pull secrets, ...) are laid over it after.
    const checked = withPolicyDefaults(input.pod, deps.podPolicy ?? DEFAULT_POD_POLICY);
    const configured = deps.podSettings ? applyWorkerSettingsToPod(checked, deps.podSettings) : checked;
    // Labelled with this worker's deployment: only its own sweeper ever deletes it.
    const pod: V1Pod = deps.deployment
      ? {
          ...configured,
          metadata: {
            ...configured.metadata,
            labels: { ...configured.metadata?.labels, [LABELS.deployment]: deps.deployment },
          },
        }
      : configured;
    try {
      const created = await deps.pods.create(pod);
      await pause(deps.pauseAfterMs?.createPod);
      return ref(created);
    } catch (err) {
      if (!isConflict(err)) {
        const failure = kubernetesFailure(err, `creating pod ${name}`);
        const { attempt } = Context.current().info;
        if (input.log && !(failure instanceof ApplicationFailure) && (attempt & (attempt - 1)) === 0) {
          await remark(deps, input.log, [
            `cannot create pod ${name} yet (attempt ${attempt}): ${describeApiError(err).message}; retrying`,
          ]);
        }
        throw failure;
      }
    }
    const existing = await deps.pods.get(name).catch((err: unknown) => {
      throw kubernetesFailure(err, `reading pod ${name}`);
    });
    // Deleted in between: let the retry create it afresh.
    if (!existing) throw new Error(`pod ${name} vanished while being adopted`);
    const mismatch = [...IDENTITY_LABELS, LABELS.deployment].find(
      (l) => existing.metadata?.labels?.[l] !== pod.metadata?.labels?.[l],
    );
    if (mismatch) {
      throw permanentFailure(
        `pod ${name} already exists and belongs to something else (label ${mismatch} differs)`,
        FailureType.PodNameTaken,
      );
    }
    return ref(existing);
  };
}

/**
 * The worker's policy, checked before the pod exists: a step may use its build's own
 * Secret (named after the build whose step workflow this is) and what the policy allows.
 */
function refuseOutsidePolicy(input: CreatePodInput, deps: ActivityDeps): void {
  const workflowId = Context.current().info.workflowExecution?.workflowId ?? '';
  const buildId = input.log?.buildId ?? input.pod.metadata?.annotations?.['wharf-temporal/build-id'];
  const own = buildId && workflowId.startsWith(`${buildId}.`) ? buildSecretName(buildId) : null;
  const violations = podPolicyViolations(input.pod, deps.podPolicy ?? DEFAULT_POD_POLICY, own);
  if (violations.length === 0) return;
  const annotations = input.pod.metadata?.annotations ?? {};
  const step = input.log
    ? `${input.log.stage}/${input.log.step}`
    : `${annotations['wharf-temporal/stage'] ?? '?'}/${annotations['wharf-temporal/step'] ?? '?'}`;
  throw permanentFailure(
    violations.map((v) => `step ${step}: ${v.field}: ${v.message}`).join('; '),
    FailureType.StepNotAllowed,
  );
}

function ref(pod: V1Pod): PodRef {
  return { name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' };
}
