// helm-package: packages the chart and pushes it with `helm push`, wharf-cmd's script
// rewritten for POSIX sh (and without its quoted empty `--version` argument, which made
// helm read "" as a second chart). The `secret` (or HELM_REG_SECRET) is a docker-config
// Secret, mounted where helm keeps registry credentials.
import { dockerConfig, str, type RecipeFor } from './recipe.ts';

export const HELM_PACKAGE_IMAGE = 'docker.io/wharfse/helm:v3.8.1';

const SCRIPT = `set -eu
: "\${CHART_PATH:?Missing required Helm chart path}"
: "\${CHART_REPO:?Missing required Helm registry URL}"
VERSION_FLAG=
if [ -n "\${CHART_VERSION:-}" ]; then VERSION_FLAG="--version=$CHART_VERSION"; fi
echo "\\$ helm package $CHART_PATH $VERSION_FLAG"
helm package "$CHART_PATH" $VERSION_FLAG
echo "\\$ helm push *.tgz $CHART_REPO --insecure"
helm push *.tgz "$CHART_REPO" --insecure`;

export const helmPackageRecipe: RecipeFor = ({ fields: f }) => ({
  image: HELM_PACKAGE_IMAGE,
  shell: '/bin/sh',
  command: ['/bin/sh', '-c', SCRIPT],
  env: [
    { name: 'CHART_PATH', value: str(f, 'chart-path') },
    { name: 'CHART_REPO', value: str(f, 'destination') },
    { name: 'CHART_VERSION', value: str(f, 'version') },
  ],
  mounts: str(f, 'secret') ? [dockerConfig('helm-registry', str(f, 'secret'), '/root/.config/helm/registry')] : [],
  serviceAccountName: 'default',
  automountServiceAccountToken: false,
});
