// helm: `helm upgrade --install` as wharf-cmd runs it, in the image of the step's
// `helmVersion`, against the cluster whose kubeconfig the `cluster` ConfigMap holds.
// `set` is applied (wharf-cmd parses it but never passes it on). Chart registry
// credentials come from REG_USER/REG_PASS, as in wharf-cmd (the password is masked), and
// from the `secret` (or HELM_REG_SECRET) docker-config Secret.
import { helmRegistrySecret, kubeconfig, list, str, type RecipeFor } from './recipe.ts';

export const HELM_IMAGE = 'docker.io/wharfse/helm';

export const helmRecipe: RecipeFor = ({ fields: f, builtins }) => {
  const set = f.set && typeof f.set === 'object' && !Array.isArray(f.set) ? Object.entries(f.set) : [];
  const user = typeof builtins.REG_USER === 'string' ? builtins.REG_USER : '';
  const password = typeof builtins.REG_PASS === 'string' ? builtins.REG_PASS : '';
  const registry = helmRegistrySecret(str(f, 'secret'));
  return {
    image: `${HELM_IMAGE}:${str(f, 'helmVersion')}`,
    shell: '/bin/sh',
    command: [
      'helm',
      'upgrade',
      '--install',
      str(f, 'name'),
      str(f, 'chart'),
      '--repo',
      str(f, 'repo'),
      '--namespace',
      str(f, 'namespace'),
      ...(str(f, 'chartVersion') ? ['--version', str(f, 'chartVersion')] : []),
      ...list(f, 'files').flatMap((file) => ['--values', file]),
      ...set.flatMap(([k, v]) => ['--set', `${k}=${v}`]),
      ...(user ? ['--username', user, '--password', password] : []),
    ],
    env: registry.env,
    mounts: [kubeconfig(str(f, 'cluster')), ...registry.mounts],
    serviceAccountName: 'default',
    automountServiceAccountToken: false,
    // A planned build's password is a reference to its Secret, expanded in the pod.
    secrets: password && !password.startsWith('${WHARF_SECRET_') ? [password] : [],
  };
};
