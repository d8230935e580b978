// nuget-package: `dotnet pack` then `dotnet nuget push` of each package, wharf-cmd's
// script rewritten for POSIX sh, with the version passed as the Version property (wharf-cmd
// passes it as a bare property and so never sets it). The API key comes from wharf-cmd's
// Secret `wharf-nuget-api-token`. Some servers answer a duplicate with HTTP 500, which
// --skip-duplicate does not cover: the push output is checked for it, as wharf-cmd does.
import { certificates, flag, str } from './recipe.js';
export const NUGET_IMAGE = 'mcr.microsoft.com/dotnet/sdk:3.1-alpine';
const SCRIPT = `: "\${NUGET_TOKEN:?Missing required NuGet token}"
echo "\\$ dotnet pack $NUGET_PROJECT_PATH --output nugets/ /property:Version=$NUGET_VERSION"
dotnet pack "$NUGET_PROJECT_PATH" --output nugets/ "/property:Version=$NUGET_VERSION" || { echo "[!] Failed to build and pack the NuGet packages. Aborting" >&2; exit 1; }
SKIP=
if [ "$NUGET_SKIP_DUP" = true ]; then SKIP=--skip-duplicate; fi
for nuget in nugets/*; do
  echo "\\$ dotnet nuget push $nuget --api-key *REDACTED* --source $NUGET_REPO $SKIP"
  { dotnet nuget push "$nuget" --api-key "$NUGET_TOKEN" --source "$NUGET_REPO" $SKIP; echo $? > nuget-push.code; } 2>&1 | tee nuget-push.log
  if grep -q 'The server is configured to not allow overwriting packages that already exist.' nuget-push.log; then
    if [ "$NUGET_SKIP_DUP" != true ]; then echo "[!] Detected duplicate, but skip-duplicate is not set. Aborting" >&2; exit 2; fi
    echo "[x] Detected duplicate, and skip-duplicate is set. Continuing."
  elif [ "$(cat nuget-push.code)" != 0 ]; then
    echo "[!] Failed to push NuGet packages. Aborting" >&2; exit 3
  fi
done`;
export const nugetPackageRecipe = ({ fields: f }) => ({
    image: NUGET_IMAGE,
    shell: '/bin/sh',
    command: ['/bin/sh', '-c', SCRIPT],
    env: [
        { name: 'NUGET_TOKEN', valueFrom: { secretKeyRef: { name: 'wharf-nuget-api-token', key: 'token' } } },
        { name: 'NUGET_REPO', value: str(f, 'repo') },
        { name: 'NUGET_PROJECT_PATH', value: str(f, 'project-path') },
        { name: 'NUGET_VERSION', value: str(f, 'version') },
        { name: 'NUGET_SKIP_DUP', value: flag(f, 'skip-duplicate') ? 'true' : 'false' },
    ],
    mounts: certificates(str(f, 'certificatesMountPath')),
    serviceAccountName: 'default',
    automountServiceAccountToken: false,
});
