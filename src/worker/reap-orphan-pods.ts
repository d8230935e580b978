// The last of three cleanup layers (after the step's own delete and the pod's
// activeDeadlineSeconds): delete labelled build pods whose build workflow is closed.
import type { Client } from '@temporalio/client';
import type { PodFacade } from '../kube/pod-facade.ts';

export const MANAGED_BY_SELECTOR = 'app.kubernetes.io/managed-by=wharf-temporal';
const BUILD_ID_LABEL = 'wharf-temporal/build-id';

export async function reapOrphanPods(client: Client, pods: PodFacade): Promise<string[]> {
  const byBuild = new Map<string, string[]>();
  for (const pod of await pods.list(MANAGED_BY_SELECTOR)) {
    const build = pod.metadata?.labels?.[BUILD_ID_LABEL];
    const name = pod.metadata?.name;
    if (!build || !name || pod.metadata?.deletionTimestamp) continue;
    byBuild.set(build, [...(byBuild.get(build) ?? []), name]);
  }
  const reaped: string[] = [];
  for (const [build, names] of byBuild) {
    if (await isRunning(client, build)) continue;
    for (const name of names) {
      if (await pods.delete(name, { gracePeriodSeconds: 0 })) reaped.push(name);
    }
  }
  return reaped;
}

async function isRunning(client: Client, workflowId: string): Promise<boolean> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    return description.status.name === 'RUNNING';
  } catch (err) {
    // Not found means nothing will ever clean up after it; any other error: leave it be.
    return !(err instanceof Error && err.name === 'WorkflowNotFoundError');
  }
}
