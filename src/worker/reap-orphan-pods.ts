// The last of three cleanup layers (after the step's own delete and the pod's
// activeDeadlineSeconds): delete labelled build pods whose build workflow is closed.
// Only this deployment's: pods and Secrets carry the deployment's identity, and another
// deployment's builds (another Temporal namespace or task queue, in the same Kubernetes
// namespace) are not this worker's to judge.
import type { Client } from '@temporalio/client';
import type { BuildSecrets } from '../kube/build-secret.ts';
import type { PodFacade } from '../kube/pod-facade.ts';
import { deploymentSelector, LABELS } from '../pod/labels.ts';

export async function reapOrphanPods(
  client: Client,
  pods: PodFacade,
  deployment: string,
  secrets?: BuildSecrets,
): Promise<string[]> {
  const selector = deploymentSelector(deployment);
  const byBuild = new Map<string, string[]>();
  const uids = new Map<string, string | undefined>();
  for (const pod of await pods.list(selector)) {
    const build = pod.metadata?.labels?.[LABELS.buildId];
    const name = pod.metadata?.name;
    if (!build || !name || pod.metadata?.deletionTimestamp) continue;
    byBuild.set(build, [...(byBuild.get(build) ?? []), name]);
    uids.set(name, pod.metadata?.uid);
  }
  const reaped: string[] = [];
  for (const [build, names] of byBuild) {
    if (await isRunning(client, build)) continue;
    for (const name of names) {
      if (await pods.delete(name, { gracePeriodSeconds: 0, uid: uids.get(name) })) reaped.push(name);
    }
  }
  // The password-input secrets of finished builds go too. A secret is made just before
  // its build starts, so one without a build is given an hour before it counts as orphaned.
  for (const secret of secrets ? await secrets.list(selector) : []) {
    const state = await buildState(client, secret.buildId);
    if (state === 'closed' || (state === 'missing' && Date.now() - secret.createdAt > SECRET_GRACE_MS))
      await secrets!.delete(secret.name);
  }
  return reaped;
}

const SECRET_GRACE_MS = 3600_000;

async function isRunning(client: Client, workflowId: string): Promise<boolean> {
  // Not found means nothing will ever clean up after it; any other error: leave it be.
  return (await buildState(client, workflowId)) === 'running';
}

async function buildState(client: Client, workflowId: string): Promise<'running' | 'closed' | 'missing'> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    return description.status.name === 'RUNNING' ? 'running' : 'closed';
  } catch (err) {
    if (err instanceof Error && err.name === 'WorkflowNotFoundError') return 'missing';
    return 'running';
  }
}
