// What a step type needs from its pod: the image, the POSIX shell in it (for the
// keep-alive and for the worker's exec), the command that is the step, and its env,
// volumes and service account. One recipe per step type, each a pure function.
import type { V1EnvFromSource, V1EnvVar, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { FieldValue, StepDefinition } from '../../definition/types.ts';

export interface Mount {
  volume: V1Volume;
  mount: V1VolumeMount;
}

export interface Recipe {
  image: string;
  imagePullPolicy?: 'Always';
  /** A POSIX shell in the image: runs the keep-alive and the worker's follower. */
  shell: string;
  /** What the worker execs as the step; its exit code is the step's outcome. */
  command: string[];
  env?: V1EnvVar[];
  envFrom?: V1EnvFromSource[];
  mounts?: Mount[];
  serviceAccountName: string;
  automountServiceAccountToken: boolean;
  /** The image has no /bin/sh (and tar) to receive the source: a sidecar receives it. */
  sourceSidecar?: boolean;
  /** Values to mask in logs. */
  secrets?: string[];
}

export type RecipeFor = (step: StepDefinition) => Recipe;

/** Where the source tree is, and the working directory, as in wharf-cmd. */
export const REPO_MOUNT = '/mnt/repo';

export const str = (f: StepDefinition['fields'], k: string): string => {
  const v: FieldValue | undefined = f[k];
  return v === undefined || typeof v === 'object' ? '' : String(v);
};
export const list = (f: StepDefinition['fields'], k: string): string[] => {
  const v = f[k];
  return Array.isArray(v) ? v : [];
};
export const flag = (f: StepDefinition['fields'], k: string): boolean => f[k] === true;

/** wharf-cmd's CA certificates: the `ca-certificates-config` ConfigMap at the given path. */
export function certificates(path: string): Mount[] {
  if (!path) return [];
  return [
    {
      volume: { name: 'certificates', configMap: { name: 'ca-certificates-config' } },
      mount: { name: 'certificates', mountPath: path },
    },
  ];
}

/** The kubeconfig of the target cluster: a ConfigMap named by the step's `cluster`, as wharf-cmd. */
export function kubeconfig(cluster: string): Mount {
  return {
    volume: { name: 'kubeconfig', configMap: { name: cluster } },
    mount: { name: 'kubeconfig', mountPath: '/root/.kube' },
  };
}

/** Where helm steps find registry credentials: the `helm-secrets` volume, named by HELM_REGISTRY_CONFIG. */
export const HELM_REGISTRY_DIR = '/root/.config/helm/registry';

/** A helm step's registry Secret (a docker config), as wharf-cmd mounts it: volume `helm-secrets`, HELM_REGISTRY_CONFIG set. */
export function helmRegistrySecret(secret: string): { mounts: Mount[]; env: V1EnvVar[] } {
  if (!secret) return { mounts: [], env: [] };
  return {
    mounts: [dockerConfig('helm-secrets', secret, HELM_REGISTRY_DIR)],
    env: [{ name: 'HELM_REGISTRY_CONFIG', value: `${HELM_REGISTRY_DIR}/config.json` }],
  };
}

/** A docker-config Secret's `.dockerconfigjson` as `config.json` in `dir`. */
export function dockerConfig(volumeName: string, secret: string, dir: string): Mount {
  return {
    volume: {
      name: volumeName,
      projected: {
        sources: [{ secret: { name: secret, items: [{ key: '.dockerconfigjson', path: 'config.json' }] } }],
      },
    },
    mount: { name: volumeName, mountPath: dir },
  };
}
