import { withCommandStateVolume } from '../command/detached-command.js';
import { RECIPES } from './recipes/index.js';
import { REPO_MOUNT } from './recipes/recipe.js';
import { labelValue, podName } from './pod-name.js';
export { REPO_MOUNT };
export const STEP_CONTAINER = 'step';
export const SOURCE_CONTAINER = 'source';
/** A small image with /bin/sh and tar, as wharf-cmd's own init container uses. */
export const SOURCE_IMAGE = 'alpine:3';
const REPO_VOLUME = 'repo';
export function translateStep(step, ctx) {
    const recipe = RECIPES[step.type](step);
    const repoMount = () => ({ name: REPO_VOLUME, mountPath: REPO_MOUNT });
    const env = [
        ...(recipe.env ?? []),
        ...(ctx.passwordEnv?.names ?? []).map((name) => ({ name, valueFrom: { secretKeyRef: { name: ctx.passwordEnv.secretName, key: name } } })),
    ];
    const container = {
        name: STEP_CONTAINER,
        image: recipe.image,
        ...(recipe.imagePullPolicy ? { imagePullPolicy: recipe.imagePullPolicy } : {}),
        command: keepAlive(recipe.shell, ctx.activeDeadlineSeconds),
        workingDir: REPO_MOUNT,
        volumeMounts: [repoMount(), ...(recipe.mounts ?? []).map((m) => m.mount)],
        ...(env.length ? { env } : {}),
        ...(recipe.envFrom?.length ? { envFrom: recipe.envFrom } : {}),
        ...(ctx.resources ? { resources: ctx.resources } : {}),
    };
    const sidecar = recipe.sourceSidecar
        ? [{ name: SOURCE_CONTAINER, image: SOURCE_IMAGE, command: keepAlive('/bin/sh', ctx.activeDeadlineSeconds), workingDir: REPO_MOUNT, volumeMounts: [repoMount()] }]
        : [];
    const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
            name: podName(ctx.buildId, ctx.stage, step.name),
            labels: {
                'app.kubernetes.io/managed-by': 'wharf-temporal',
                'app.kubernetes.io/name': 'wharf-step',
                'wharf-temporal/build-id': labelValue(ctx.buildId),
                'wharf-temporal/stage': labelValue(ctx.stage),
                'wharf-temporal/step': labelValue(step.name),
            },
            annotations: {
                'wharf-temporal/build-id': ctx.buildId,
                'wharf-temporal/stage': ctx.stage,
                'wharf-temporal/step': step.name,
                'wharf-temporal/step-type': step.type,
            },
        },
        spec: {
            restartPolicy: 'Never',
            activeDeadlineSeconds: ctx.activeDeadlineSeconds,
            serviceAccountName: recipe.serviceAccountName,
            automountServiceAccountToken: recipe.automountServiceAccountToken,
            terminationGracePeriodSeconds: 5,
            containers: [container, ...sidecar],
            volumes: [{ name: REPO_VOLUME, emptyDir: {} }, ...(recipe.mounts ?? []).map((m) => m.volume)],
        },
    };
    return {
        name: step.name,
        type: step.type,
        pod: withCommandStateVolume(pod, STEP_CONTAINER),
        exec: { container: STEP_CONTAINER, command: recipe.command, shell: recipe.shell },
        source: { container: recipe.sourceSidecar ? SOURCE_CONTAINER : STEP_CONTAINER, path: REPO_MOUNT, ...fileFilter(step, ctx) },
        secrets: [...ctx.secrets, ...(recipe.secrets ?? [])],
        ...(ctx.passwordEnv ? { secretName: ctx.passwordEnv.secretName } : {}),
    };
}
/** Keeps the container alive until the worker is done or the deadline passes; exits on TERM. */
function keepAlive(shell, seconds) {
    return [shell, '-c', `trap 'exit 0' TERM INT; sleep ${seconds} & wait`];
}
// As wharf-cmd: helm and kubectl steps receive only their files, variables substituted.
function fileFilter(step, ctx) {
    const f = step.fields;
    const files = (k) => (Array.isArray(f[k]) ? f[k] : []);
    if (step.type === 'helm')
        return { onlyFiles: files('files'), variables: ctx.fileVariables ?? {} };
    if (step.type === 'kubectl')
        return { onlyFiles: [...files('files'), ...(f.file ? [String(f.file)] : [])], variables: ctx.fileVariables ?? {} };
    return {};
}
