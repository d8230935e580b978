/** Where the source tree is, and the working directory, as in wharf-cmd. */
export const REPO_MOUNT = '/mnt/repo';
export const str = (f, k) => {
    const v = f[k];
    return v === undefined || typeof v === 'object' ? '' : String(v);
};
export const list = (f, k) => {
    const v = f[k];
    return Array.isArray(v) ? v : [];
};
export const flag = (f, k) => f[k] === true;
/** wharf-cmd's CA certificates: the `ca-certificates-config` ConfigMap at the given path. */
export function certificates(path) {
    if (!path)
        return [];
    return [{ volume: { name: 'certificates', configMap: { name: 'ca-certificates-config' } }, mount: { name: 'certificates', mountPath: path } }];
}
/** The kubeconfig of the target cluster: a ConfigMap named by the step's `cluster`, as wharf-cmd. */
export function kubeconfig(cluster) {
    return { volume: { name: 'kubeconfig', configMap: { name: cluster } }, mount: { name: 'kubeconfig', mountPath: '/root/.kube' } };
}
/** Where helm steps find registry credentials: the `helm-secrets` volume, named by HELM_REGISTRY_CONFIG. */
export const HELM_REGISTRY_DIR = '/root/.config/helm/registry';
/** A helm step's registry Secret (a docker config), as wharf-cmd mounts it: volume `helm-secrets`, HELM_REGISTRY_CONFIG set. */
export function helmRegistrySecret(secret) {
    if (!secret)
        return { mounts: [], env: [] };
    return {
        mounts: [dockerConfig('helm-secrets', secret, HELM_REGISTRY_DIR)],
        env: [{ name: 'HELM_REGISTRY_CONFIG', value: `${HELM_REGISTRY_DIR}/config.json` }],
    };
}
/** A docker-config Secret's `.dockerconfigjson` as `config.json` in `dir`. */
export function dockerConfig(volumeName, secret, dir) {
    return {
        volume: { name: volumeName, projected: { sources: [{ secret: { name: secret, items: [{ key: '.dockerconfigjson', path: 'config.json' }] } }] } },
        mount: { name: volumeName, mountPath: dir },
    };
}
