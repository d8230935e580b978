// A deployment's identity: WHARF_TEMPORAL_DEPLOYMENT (or --deployment), else derived from
// the Temporal address, namespace and task queue. Workers label their pods with it and
// sweep only pods that carry it; `run` labels its password Secret with it.
import type { RuntimeConfig } from '../config/runtime-config.ts';
import { checkDeploymentId, defaultDeploymentId } from '../pod/labels.ts';

export function resolveDeployment(
  config: RuntimeConfig,
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (flag) return checkDeploymentId(flag, '--deployment');
  if (env.WHARF_TEMPORAL_DEPLOYMENT)
    return checkDeploymentId(env.WHARF_TEMPORAL_DEPLOYMENT, 'WHARF_TEMPORAL_DEPLOYMENT');
  return defaultDeploymentId(config.temporalAddress, config.temporalNamespace, config.taskQueue);
}
