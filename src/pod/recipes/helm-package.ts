// helm-package: packages the chart and pushes it with `helm push`, wharf-cmd's script
// rewritten for POSIX sh (and without its quoted empty `--version` argument, which made
// helm read "" as a second chart). To a chart repository URL it pushes as wharf-cmd does
// (`--insecure`, the chart-repository push plugin's flag); to an `oci://` registry with
// helm's own OCI push, which has no such flag: there TLS is verified unless REG_INSECURE
// is set (as the docker step). The `secret` (or HELM_REG_SECRET) is a docker-config
// Secret, mounted as the helm step's.
import { helmRegistrySecret, str, type RecipeFor } from './recipe.ts';

export const HELM_PACKAGE_IMAGE = 'docker.io/wharfse/helm:v3.8.1';

const SCRIPT = `set -eu
: "\${CHART_PATH:?Missing required Helm chart path}"
: "\${CHART_REPO:?Missing required Helm registry URL}"
VERSION_FLAG=
if [ -n "\${CHART_VERSION:-}" ]; then VERSION_FLAG="--version=$CHART_VERSION"; fi
echo "\\$ helm package $CHART_PATH $VERSION_FLAG"
helm package "$CHART_PATH" $VERSION_FLAG
case $CHART_REPO in
  oci://*) PUSH_FLAGS=\${CHART_INSECURE:+--insecure-skip-tls-verify} ;;
  *) PUSH_FLAGS=--insecure ;;
esac
echo "\\$ helm push *.tgz $CHART_REPO $PUSH_FLAGS"
helm push *.tgz "$CHART_REPO" $PUSH_FLAGS`;

export const helmPackageRecipe: RecipeFor = ({ fields: f, builtins }) => {
  const registry = helmRegistrySecret(str(f, 'secret'));
  return {
    image: HELM_PACKAGE_IMAGE,
    shell: '/bin/sh',
    command: ['/bin/sh', '-c', SCRIPT],
    env: [
      { name: 'CHART_PATH', value: str(f, 'chart-path') },
      { name: 'CHART_REPO', value: str(f, 'destination') },
      { name: 'CHART_VERSION', value: str(f, 'version') },
      ...(builtins.REG_INSECURE === true ? [{ name: 'CHART_INSECURE', value: 'true' }] : []),
      ...registry.env,
    ],
    mounts: registry.mounts,
    serviceAccountName: 'default',
    automountServiceAccountToken: false,
  };
};
