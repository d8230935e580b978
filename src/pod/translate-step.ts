// Step -> pod: a pure function of the resolved step. The step's container stays alive
// (a `sleep` bounded by the pod's deadline, in the image's own shell) while the worker
// copies the source in and execs the step's command in it; the source tree lives in an
// emptyDir at wharf-cmd's /mnt/repo, which is also the working directory.
import type { V1Container, V1EnvVar, V1Pod, V1ResourceRequirements, V1VolumeMount } from '@kubernetes/client-node';
import type { StepDefinition, Value } from '../definition/types.ts';
import { withCommandStateVolume } from './command-state-volume.ts';
import { RECIPES } from './recipes/index.ts';
import { REPO_MOUNT } from './recipes/recipe.ts';
import { ANNOTATIONS, LABELS, MANAGED_BY, STEP_POD_NAME } from './labels.ts';
import { labelValue, podName } from './pod-name.ts';
import type { SourcePlacement, StepPlan } from './step-plan.ts';

export { REPO_MOUNT };
export const STEP_CONTAINER = 'step';
export const SOURCE_CONTAINER = 'source';
/** A small image with /bin/sh and tar, as wharf-cmd's own init container uses. */
export const SOURCE_IMAGE = 'alpine:3';
const REPO_VOLUME = 'repo';

export interface TranslateContext {
  buildId: string;
  stage: string;
  /** Seconds the pod may live; also bounds the keep-alive. */
  activeDeadlineSeconds: number;
  /** Values to mask in logs (password inputs given inline). */
  secrets: string[];
  /** Variables substituted in the files of steps with file filters (no password inputs). */
  fileVariables?: Record<string, Value>;
  /** Secret values given to every step as environment variables from the build's Secret. */
  passwordEnv?: { secretName: string; names: string[] };
  /** The build's own Secret (its secret values; the variables for file substitution). */
  buildSecret?: string;
  /** The build's inputs (but passwords) as environment variables, WHARF_INPUT_<NAME>. */
  inputEnv?: { name: string; value: string }[];
  /** Resources of the step's container (wharf-cmd sets none). */
  resources?: V1ResourceRequirements;
}

export function translateStep(step: StepDefinition, ctx: TranslateContext): StepPlan {
  const recipe = RECIPES[step.type](step);
  const repoMount = (): V1VolumeMount => ({ name: REPO_VOLUME, mountPath: REPO_MOUNT });
  const env: V1EnvVar[] = [
    ...(recipe.env ?? []),
    ...(ctx.inputEnv ?? []),
    ...(ctx.passwordEnv?.names ?? []).map((name) => ({
      name,
      valueFrom: { secretKeyRef: { name: ctx.passwordEnv!.secretName, key: name } },
    })),
  ];
  const container: V1Container = {
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
  const sidecar: V1Container[] = recipe.sourceSidecar
    ? [
        {
          name: SOURCE_CONTAINER,
          image: SOURCE_IMAGE,
          command: keepAlive('/bin/sh', ctx.activeDeadlineSeconds),
          workingDir: REPO_MOUNT,
          volumeMounts: [repoMount()],
        },
      ]
    : [];
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(ctx.buildId, ctx.stage, step.name),
      // The deployment label is the worker's to add (createPod): a plan is the same for any.
      labels: {
        [LABELS.managedBy]: MANAGED_BY,
        [LABELS.name]: STEP_POD_NAME,
        [LABELS.buildId]: labelValue(ctx.buildId),
        [LABELS.stage]: labelValue(ctx.stage),
        [LABELS.step]: labelValue(step.name),
      },
      annotations: {
        [ANNOTATIONS.buildId]: ctx.buildId,
        [ANNOTATIONS.stage]: ctx.stage,
        [ANNOTATIONS.step]: step.name,
        [ANNOTATIONS.stepType]: step.type,
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
    exec: { container: STEP_CONTAINER, command: expandingSecrets(recipe.command, recipe.shell), shell: recipe.shell },
    source: {
      container: recipe.sourceSidecar ? SOURCE_CONTAINER : STEP_CONTAINER,
      path: REPO_MOUNT,
      ...fileFilter(step, ctx),
    },
    secrets: [...ctx.secrets, ...(recipe.secrets ?? [])],
    ...((ctx.buildSecret ?? ctx.passwordEnv) ? { secretName: ctx.buildSecret ?? ctx.passwordEnv!.secretName } : {}),
  };
}

/**
 * A reference to a secret value, written where the value would be: `${WHARF_SECRET_NAME}`
 * (the build Secret's keys given to the step as environment variables).
 */
const SECRET_REFERENCE = /\$\{WHARF_SECRET_[A-Z0-9_]+\}/g;

/**
 * A command given as arguments (not a shell script) whose arguments refer to secret values
 * (`${WHARF_SECRET_X}`) runs through the image's shell, so the references are expanded
 * there from the environment and every other character stays as written.
 */
function expandingSecrets(command: string[], shell: string): string[] {
  if (command[1] === '-c' || !command.some((arg) => new RegExp(SECRET_REFERENCE.source).test(arg))) return command;
  const quote = (arg: string): string => {
    let out = '';
    let last = 0;
    for (const m of arg.matchAll(SECRET_REFERENCE)) {
      out += `${singleQuoted(arg.slice(last, m.index))}"${m[0]}"`;
      last = m.index + m[0].length;
    }
    return out + singleQuoted(arg.slice(last)) || "''";
  };
  return [shell, '-c', `exec ${command.map(quote).join(' ')}`];
}

function singleQuoted(text: string): string {
  return text === '' ? '' : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Keeps the container alive until the worker is done or the deadline passes; exits on TERM. */
function keepAlive(shell: string, seconds: number): string[] {
  return [shell, '-c', `trap 'exit 0' TERM INT; sleep ${seconds} & wait`];
}

// As wharf-cmd: helm and kubectl steps receive only their files, variables substituted.
function fileFilter(step: StepDefinition, ctx: TranslateContext): Pick<SourcePlacement, 'onlyFiles' | 'variables'> {
  const f = step.fields;
  const files = (k: string): string[] => (Array.isArray(f[k]) ? f[k] : []);
  // Without variables here, the worker takes them from the build's Secret.
  const variables = ctx.fileVariables ? { variables: ctx.fileVariables } : {};
  if (step.type === 'helm') return { onlyFiles: files('files'), ...variables };
  if (step.type === 'kubectl')
    return { onlyFiles: [...files('files'), ...(f.file ? [String(f.file)] : [])], ...variables };
  return {};
}
