// Which Kubernetes credentials the worker and the CLI use: a kubeconfig file (and
// context) when one is configured, the pod's service account when running in a pod,
// else the kubeconfig in the usual place.

/** Where the service account's token, CA and namespace are mounted in every pod. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export type KubeSource =
  | { kind: 'file'; path: string; context: string | null }
  | { kind: 'in-cluster' }
  /** ~/.kube/config (the client's default lookup). */
  | { kind: 'default'; context: string | null };

export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
}

/** True when this process runs in a Kubernetes pod (the kubelet sets this in every container). */
export function inCluster(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.KUBERNETES_SERVICE_HOST);
}

export function resolveKubeSource(flags: KubeFlags, env: NodeJS.ProcessEnv): KubeSource {
  const path = flags.kubeconfig || env.KUBECONFIG || null;
  const context = flags.context || env.WHARF_TEMPORAL_KUBE_CONTEXT || null;
  if (path) return { kind: 'file', path, context };
  if (context) return { kind: 'default', context };
  if (inCluster(env)) return { kind: 'in-cluster' };
  return { kind: 'default', context: null };
}

/** True when any Kubernetes setting is given, or the process runs in a pod. */
export function kubeConfigured(flags: KubeFlags, env: NodeJS.ProcessEnv): boolean {
  return Boolean(
    flags.kubeconfig || env.KUBECONFIG || flags.context || env.WHARF_TEMPORAL_KUBE_CONTEXT || inCluster(env),
  );
}
