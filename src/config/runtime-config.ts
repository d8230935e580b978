// Where the CLI and the worker find Temporal and Kubernetes: flags first, then the
// environment, then Temporal's configuration file. The local lab is a fallback the CLI
// offers (`lab`) and is asked only when nothing at all is configured and the process does
// not run in a pod.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import { codecKeysFrom, type CodecKey } from '../codec/codec-keys.ts';
import { ConfigError } from './config-error.ts';
import { inCluster, kubeConfigured, resolveKubeSource, type KubeFlags } from './kube-source.ts';
import { nameOf, settingByFlag } from './settings.ts';
import { resolveTemporalConnection, type TemporalFlags } from './temporal-profile.ts';

export { ConfigError } from './config-error.ts';

export interface RuntimeConfig {
  temporalAddress: string;
  temporalNamespace: string;
  /** TLS to Temporal: true = system roots; absent = plain (unless an API key is set). */
  temporalTls?: TLSConfig | boolean;
  temporalApiKey?: string;
  /** gRPC metadata sent with every call (TEMPORAL_GRPC_META_*). */
  temporalMetadata?: Record<string, string>;
  /** Base URL of the Temporal Web UI, for links; null when unknown. */
  temporalUiUrl: string | null;
  taskQueue: string;
  /** Path of the kubeconfig; null = the pod's service account in a pod, else ~/.kube/config. */
  kubeconfig: string | null;
  /** The kubeconfig context; null = its current context. */
  kubeContext?: string | null;
  /** True: the pod's service account (set when running in a pod with no kubeconfig). */
  kubeInCluster?: boolean;
  kubeNamespace: string;
  logRoot: string;
  /** True when the endpoints come from the local lab (nothing configured). */
  fromLab: boolean;
  /** Keys of the payload codec (see src/codec); none: payloads are not encrypted. */
  codecKeys?: CodecKey[] | null;
}

export interface ConfigOverrides extends TemporalFlags, KubeFlags {
  taskQueue?: string;
  kubeNamespace?: string;
  codecKeyFile?: string;
}

/** The lab's endpoints (`KEY=value` status lines), or null when it is not running. */
export type LabLookup = () => Record<string, string> | null;

export function resolveRuntimeConfig(
  flags: ConfigOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
  lab?: LabLookup,
): RuntimeConfig {
  const temporal = resolveTemporalConnection(flags, env);
  const kube = resolveKubeSource(flags, env);
  const configured = temporal.address !== null || kubeConfigured(flags, env);
  const labStatus = configured || !lab ? null : lab();
  const temporalAddress = temporal.address ?? labStatus?.TEMPORAL_ADDRESS;
  if (!temporalAddress) throw new ConfigError(noServer(flags, env, lab !== undefined));
  const kubeNamespace = flags.kubeNamespace || env.WHARF_TEMPORAL_NAMESPACE || labStatus?.KUBE_NAMESPACE || 'wharf';
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(kubeNamespace)) {
    throw new ConfigError(
      `${nameOf(settingByFlag('kube-namespace'))}: '${kubeNamespace}' is not a Kubernetes namespace name (lower-case letters, digits and '-', at most 63)`,
    );
  }
  return {
    temporalAddress,
    temporalNamespace: temporal.namespace ?? labStatus?.TEMPORAL_NAMESPACE ?? 'default',
    ...(temporal.tls !== undefined ? { temporalTls: temporal.tls } : {}),
    ...(temporal.apiKey !== undefined ? { temporalApiKey: temporal.apiKey } : {}),
    ...(temporal.metadata ? { temporalMetadata: temporal.metadata } : {}),
    temporalUiUrl: env.TEMPORAL_UI_URL || labStatus?.TEMPORAL_UI_URL || null,
    taskQueue: flags.taskQueue || env.WHARF_TEMPORAL_TASK_QUEUE || 'wharf-builds',
    kubeconfig: kube.kind === 'file' ? kube.path : (labStatus?.KUBECONFIG ?? null),
    kubeContext: kube.kind === 'in-cluster' ? null : kube.context,
    kubeInCluster: kube.kind === 'in-cluster',
    kubeNamespace,
    logRoot: logRoot(env),
    fromLab: labStatus !== null,
    codecKeys: codecKeysFrom(env, flags.codecKeyFile),
  };
}

/** The log folder (WHARF_TEMPORAL_LOG_DIR, else the XDG state folder). */
export function logRoot(env: NodeJS.ProcessEnv): string {
  if (env.WHARF_TEMPORAL_LOG_DIR) return env.WHARF_TEMPORAL_LOG_DIR;
  const state = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'wharf-temporal', 'logs');
}

function noServer(flags: ConfigOverrides, env: NodeJS.ProcessEnv, labOffered: boolean): string {
  const how = `set ${nameOf(settingByFlag('temporal-address'))} (or a profile in ${nameOf(settingByFlag('config-file'))})`;
  if (inCluster(env)) return `no Temporal server configured: ${how}; in a pod the local lab is never used`;
  if (kubeConfigured(flags, env))
    return `no Temporal server configured: ${how}; the local lab is used only when nothing is configured, and Kubernetes is`;
  if (!labOffered) return `no Temporal server configured: ${how}`;
  return `no Temporal server configured: ${how}, or start the local lab with \`npm run lab:up\``;
}

export function buildUiLink(config: RuntimeConfig, workflowId: string): string | null {
  if (!config.temporalUiUrl) return null;
  return `${config.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.temporalNamespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
