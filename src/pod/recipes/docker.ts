// docker: kaniko builds the image, with wharf-cmd's arguments. The debug image is used for
// its busybox shell (/busybox/sh), which the keep-alive and the worker's exec need; it has
// no /bin/sh, so a small sidecar receives the source into the shared volume. Build
// arguments from secrets are passed by name only (kaniko reads them from the environment),
// so their values never appear in the manifest. The `secret` field's docker config (else
// REG_SECRET's, else `gitlab-registry`, as wharf-cmd) is mounted where kaniko reads it.
import { posix } from 'node:path';
import type { V1EnvVar } from '@kubernetes/client-node';
import { dockerConfig, flag, list, REPO_MOUNT, str, type Mount, type RecipeFor } from './recipe.ts';

export const KANIKO_IMAGE = 'gcr.io/kaniko-project/executor:v1.23.2-debug';

export const dockerRecipe: RecipeFor = ({ fields: f, builtins }) => {
  const destination = str(f, 'destination');
  const tags = str(f, 'tag')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const secretArgs = str(f, 'secretName') ? list(f, 'secretArgs').map(splitSecretArg) : [];
  const args = [
    '--dockerfile',
    posix.join(REPO_MOUNT, str(f, 'file')),
    '--context',
    posix.join(REPO_MOUNT, str(f, 'context')),
    // wharf-cmd always skips TLS verification; here only an insecure registry does.
    ...(builtins.REG_INSECURE === true ? ['--insecure', '--skip-tls-verify'] : []),
    ...list(f, 'args').flatMap((a) => ['--build-arg', a]),
    ...tags.flatMap((t) => ['--destination', `${destination}:${t}`]),
    ...(flag(f, 'push') ? [] : ['--no-push']),
    ...secretArgs.flatMap(([name]) => ['--build-arg', name]),
  ];
  const env: V1EnvVar[] = secretArgs.map(([name, key]) => ({
    name,
    valueFrom: { secretKeyRef: { name: str(f, 'secretName'), key, optional: true } },
  }));
  const mounts: Mount[] = str(f, 'secret') ? [dockerConfig('docker-secrets', str(f, 'secret'), '/kaniko/.docker')] : [];
  return {
    image: KANIKO_IMAGE,
    shell: '/busybox/sh',
    command: ['/kaniko/executor', ...args],
    env,
    mounts,
    serviceAccountName: 'default',
    automountServiceAccountToken: false,
    sourceSidecar: true,
  };
};

function splitSecretArg(arg: string): [string, string] {
  const eq = arg.indexOf('=');
  return [arg.slice(0, eq), arg.slice(eq + 1)];
}
