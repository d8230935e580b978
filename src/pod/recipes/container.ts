// container: the step's `cmds` run as one script (joined by newlines) in its `shell`, so
// `cd` and exported variables carry over; no `set -e` is added, as in wharf-cmd. The
// image is pulled every time and the step's `secretName` gives environment variables.
import { certificates, list, str, type RecipeFor } from './recipe.ts';

export const containerRecipe: RecipeFor = ({ fields: f }) => {
  const shell = str(f, 'shell') || '/bin/sh';
  const secret = str(f, 'secretName');
  return {
    image: str(f, 'image'),
    imagePullPolicy: 'Always',
    shell,
    command: [shell, '-c', list(f, 'cmds').join('\n')],
    envFrom: secret ? [{ secretRef: { name: secret } }] : [],
    mounts: certificates(str(f, 'certificatesMountPath')),
    serviceAccountName: str(f, 'serviceAccount') || 'default',
    // A step given a service account runs with its token (scripts use the Kubernetes API);
    // the default account's token is not mounted. The worker's policy decides which may.
    automountServiceAccountToken: str(f, 'serviceAccount') !== '' && str(f, 'serviceAccount') !== 'default',
  };
};
