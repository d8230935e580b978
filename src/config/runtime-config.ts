// Where the CLI and the worker find Temporal and Kubernetes: flags first, then the
// environment, then the local lab.
import { readLabStatus } from './lab-endpoints.ts';

export interface RuntimeConfig {
  temporalAddress: string;
  temporalNamespace: string;
  /** Base URL of the Temporal Web UI, for links; null when unknown. */
  temporalUiUrl: string | null;
  taskQueue: string;
  /** Path of the kubeconfig; null = the client's default lookup. */
  kubeconfig: string | null;
  kubeNamespace: string;
  /** True when the endpoints come from the local lab (no Temporal address configured). */
  fromLab: boolean;
}

export interface ConfigOverrides {
  temporalAddress?: string;
  temporalNamespace?: string;
  taskQueue?: string;
  kubeconfig?: string;
  kubeNamespace?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function resolveRuntimeConfig(flags: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  // An empty variable counts as unset.
  const explicitAddress = flags.temporalAddress || env.TEMPORAL_ADDRESS || undefined;
  const lab = explicitAddress && env.KUBECONFIG ? null : readLabStatus();
  const pick = (flag: string | undefined, name: string, fromLab: string | undefined, fallback: string): string =>
    flag || env[name] || fromLab || fallback;
  const temporalAddress = explicitAddress ?? lab?.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    throw new ConfigError('no Temporal server: set TEMPORAL_ADDRESS (or --temporal-address), or start the local lab with `npm run lab:up`');
  }
  return {
    temporalAddress,
    temporalNamespace: pick(flags.temporalNamespace, 'TEMPORAL_NAMESPACE', lab?.TEMPORAL_NAMESPACE, 'default'),
    temporalUiUrl: env.TEMPORAL_UI_URL || lab?.TEMPORAL_UI_URL || null,
    taskQueue: pick(flags.taskQueue, 'WHARF_TEMPORAL_TASK_QUEUE', undefined, 'wharf-builds'),
    kubeconfig: flags.kubeconfig || env.KUBECONFIG || lab?.KUBECONFIG || null,
    kubeNamespace: pick(flags.kubeNamespace, 'WHARF_TEMPORAL_NAMESPACE', lab?.KUBE_NAMESPACE, 'wharf'),
    fromLab: !explicitAddress,
  };
}

export function buildUiLink(config: RuntimeConfig, workflowId: string): string | null {
  if (!config.temporalUiUrl) return null;
  return `${config.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.temporalNamespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
