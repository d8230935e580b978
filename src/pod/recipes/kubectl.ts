// kubectl: one `kubectl <action>` over all the step's files (`files`, then `file`), as
// wharf-cmd runs it, against the cluster whose kubeconfig the `cluster` ConfigMap holds.
import { flag, kubeconfig, list, str, type RecipeFor } from './recipe.ts';

export const KUBECTL_IMAGE = 'docker.io/wharfse/kubectl:v1.23.5';

export const kubectlRecipe: RecipeFor = ({ fields: f }) => {
  const files = [...list(f, 'files'), ...(str(f, 'file') ? [str(f, 'file')] : [])];
  return {
    image: KUBECTL_IMAGE,
    shell: '/bin/sh',
    command: [
      'kubectl',
      str(f, 'action'),
      ...(str(f, 'namespace') ? ['--namespace', str(f, 'namespace')] : []),
      ...files.flatMap((file) => ['--filename', file]),
      ...(flag(f, 'force') ? ['--force'] : []),
    ],
    mounts: [kubeconfig(str(f, 'cluster'))],
    serviceAccountName: 'default',
    automountServiceAccountToken: false,
  };
};
