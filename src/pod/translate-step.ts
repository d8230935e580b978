// Step -> pod: a pure function of the resolved step. Each pod keeps its main container
// alive (bounded by the pod's deadline) while the worker execs the step's command in it;
// the source tree lives in an emptyDir at Wharf's /mnt/repo, the working directory.
import type { V1Container, V1EnvFromSource, V1Pod, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { withCommandStateVolume } from '../command/detached-command.ts';
import type { StepDefinition, Value } from '../definition/types.ts';
import type { StepPlan } from '../plan/build-plan.ts';
import { labelValue, podName } from './pod-name.ts';

export const REPO_MOUNT = '/mnt/repo';
export const STEP_CONTAINER = 'step';

export interface TranslateContext {
  buildId: string;
  stage: string;
  /** Seconds the pod may live; also bounds the keep-alive. */
  activeDeadlineSeconds: number;
  /** Values to mask in logs (password inputs). */
  secrets: string[];
  /** Variables substituted in the files of steps with file filters (no password inputs). */
  fileVariables?: Record<string, Value>;
  /** Password inputs given to every step as environment variables from a Secret. */
  passwordEnv?: { secretName: string; names: string[] };
}

interface Recipe {
  image: string;
  shell: string;
  script: string;
  env?: V1EnvFromSource[];
  /** Environment variables read from secret keys. */
  secretEnv?: { name: string; secretName: string; key: string }[];
  volumes?: { volume: V1Volume; mount: V1VolumeMount }[];
  serviceAccount?: string;
}

export function translateStep(step: StepDefinition, ctx: TranslateContext): StepPlan {
  const recipe = RECIPES[step.type](step.fields);
  const keepAlive = `trap 'exit 0' TERM INT; sleep ${ctx.activeDeadlineSeconds} & wait`;
  const container: V1Container = {
    name: STEP_CONTAINER,
    image: recipe.image,
    command: [recipe.shell, '-c', keepAlive],
    workingDir: REPO_MOUNT,
    volumeMounts: [{ name: 'repo', mountPath: REPO_MOUNT }, ...(recipe.volumes ?? []).map((v) => v.mount)],
    ...(recipe.env?.length ? { envFrom: recipe.env } : {}),
    ...(recipe.secretEnv?.length || ctx.passwordEnv
      ? {
        env: [
          ...(recipe.secretEnv ?? []).map((e) => ({ name: e.name, valueFrom: { secretKeyRef: { name: e.secretName, key: e.key, optional: true } } })),
          ...(ctx.passwordEnv?.names ?? []).map((name) => ({ name, valueFrom: { secretKeyRef: { name: ctx.passwordEnv!.secretName, key: name } } })),
        ],
      }
      : {}),
  };
  const pod: V1Pod = {
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
      serviceAccountName: recipe.serviceAccount ?? 'default',
      automountServiceAccountToken: recipe.serviceAccount !== undefined,
      terminationGracePeriodSeconds: 5,
      containers: [container],
      volumes: [{ name: 'repo', emptyDir: {} }, ...(recipe.volumes ?? []).map((v) => v.volume)],
    },
  };
  return {
    name: step.name,
    type: step.type,
    pod: withCommandStateVolume(pod, STEP_CONTAINER),
    exec: { container: STEP_CONTAINER, command: [recipe.shell, '-c', recipe.script], shell: recipe.shell },
    source: { container: STEP_CONTAINER, path: REPO_MOUNT, ...fileFilter(step, ctx) },
    secrets: ctx.secrets,
    ...(ctx.passwordEnv ? { secretName: ctx.passwordEnv.secretName } : {}),
  };
}

// Like Wharf: helm and kubectl steps receive only their files, variables substituted.
function fileFilter(step: StepDefinition, ctx: TranslateContext): { onlyFiles?: string[]; variables?: Record<string, Value> } {
  if (step.type !== 'helm' && step.type !== 'kubectl') return {};
  const files = [...list(step.fields, 'files'), ...(step.type === 'kubectl' && str(step.fields, 'file') ? [str(step.fields, 'file')] : [])];
  return { onlyFiles: files, variables: ctx.fileVariables ?? {} };
}

type Fields = StepDefinition['fields'];
const str = (f: Fields, k: string): string => (f[k] === undefined ? '' : String(f[k]));
const list = (f: Fields, k: string): string[] => (Array.isArray(f[k]) ? (f[k] as Value[]).map(String) : []);
const flag = (f: Fields, k: string): boolean => f[k] === true;
/** Single-quotes a value for sh. */
const q = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;

function kubeconfigSecret(name: string): { volume: V1Volume; mount: V1VolumeMount } {
  return { volume: { name: 'kubeconfig', secret: { secretName: name } }, mount: { name: 'kubeconfig', mountPath: '/root/.kube', readOnly: true } };
}

function certificates(path: string): { volume: V1Volume; mount: V1VolumeMount }[] {
  if (!path) return [];
  return [{ volume: { name: 'certificates', configMap: { name: 'ca-certificates-config' } }, mount: { name: 'certificates', mountPath: path, readOnly: true } }];
}

const RECIPES: Record<StepDefinition['type'], (f: Fields) => Recipe> = {
  // The step's cmds run as one script, so `cd` and exported variables carry over.
  container: (f) => ({
    image: str(f, 'image'),
    shell: str(f, 'shell') || '/bin/sh',
    script: list(f, 'cmds').join('\n'),
    env: str(f, 'secretName') ? [{ secretRef: { name: str(f, 'secretName') } }] : [],
    volumes: certificates(str(f, 'certificatesMountPath')),
    serviceAccount: str(f, 'serviceAccount') || 'default',
  }),
  // Builds with kaniko (no Docker daemon); its debug image has a busybox shell. Build
  // arguments from secrets are passed by name, so their values stay out of the manifest.
  docker: (f) => {
    const destination = str(f, 'destination');
    const tags = str(f, 'tag').split(',').map((t) => t.trim()).filter(Boolean);
    const secretArgs = list(f, 'secretArgs').map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] as const);
    const args = [
      `--dockerfile=${q(`${REPO_MOUNT}/${str(f, 'file')}`)}`,
      `--context=${q(`${REPO_MOUNT}/${str(f, 'context')}`.replace(/\/$/, ''))}`,
      ...list(f, 'args').map((a) => `--build-arg=${q(a)}`),
      ...secretArgs.map(([name]) => `--build-arg=${q(name)}`),
      ...tags.map((t) => `--destination=${q(`${destination}:${t}`)}`),
      ...(flag(f, 'push') ? [] : ['--no-push']),
    ];
    return {
      image: 'gcr.io/kaniko-project/executor:v1.23.2-debug',
      shell: '/busybox/sh',
      script: `/kaniko/executor ${args.join(' ')}`,
      secretEnv: secretArgs.map(([name, key]) => ({ name, secretName: str(f, 'secretName'), key })),
      volumes: str(f, 'secret')
        ? [{ volume: { name: 'registry', secret: { secretName: str(f, 'secret'), optional: true } }, mount: { name: 'registry', mountPath: '/kaniko/.docker', readOnly: true } }]
        : [],
    };
  },
  helm: (f) => {
    const set = f.set && typeof f.set === 'object' && !Array.isArray(f.set) ? Object.entries(f.set) : [];
    const args = [
      'upgrade', '--install', q(str(f, 'name')), q(str(f, 'chart')), '--repo', q(str(f, 'repo')), '--namespace', q(str(f, 'namespace')),
      ...(str(f, 'chartVersion') ? ['--version', q(str(f, 'chartVersion'))] : []),
      ...list(f, 'files').flatMap((file) => ['--values', q(file)]),
      ...set.map(([k, v]) => `--set ${q(`${k}=${String(v)}`)}`),
    ];
    return { image: `docker.io/wharfse/helm:${str(f, 'helmVersion')}`, shell: '/bin/sh', script: `helm ${args.join(' ')}`, volumes: [kubeconfigSecret(str(f, 'cluster'))] };
  },
  'helm-package': (f) => ({
    image: 'docker.io/wharfse/helm:v3.8.1',
    shell: '/bin/sh',
    script: [
      `helm package ${q(str(f, 'chart-path'))} --version ${q(str(f, 'version'))} --destination /tmp/charts`,
      `for chart in /tmp/charts/*.tgz; do curl --fail -u "$CHART_REPO_USER:$CHART_REPO_PASSWORD" --upload-file "$chart" ${q(`${str(f, 'destination')}/`)}; done`,
    ].join('\n'),
    env: [{ secretRef: { name: 'chart-repo-credentials', optional: true } }],
  }),
  kubectl: (f) => {
    const files = [str(f, 'file'), ...list(f, 'files')].filter(Boolean);
    const ns = str(f, 'namespace') ? ` --namespace ${q(str(f, 'namespace'))}` : '';
    const force = flag(f, 'force') ? ' --force' : '';
    return {
      image: 'docker.io/wharfse/kubectl:v1.23.5',
      shell: '/bin/sh',
      script: files.map((file) => `kubectl ${str(f, 'action')}${ns}${force} -f ${q(file)}`).join(' && \\\n') || 'echo "no files to apply" >&2; exit 1',
      volumes: [kubeconfigSecret(str(f, 'cluster'))],
    };
  },
  // The version goes in PackageVersion (Wharf passed it in the wrong property).
  'nuget-package': (f) => ({
    image: 'mcr.microsoft.com/dotnet/sdk:8.0',
    shell: '/bin/sh',
    script: [
      `dotnet pack ${q(str(f, 'project-path'))} -p:PackageVersion=${q(str(f, 'version'))} --output /tmp/nuget`,
      `dotnet nuget push '/tmp/nuget/*.nupkg' --source ${q(str(f, 'repo'))} --api-key "$NUGET_TOKEN"${flag(f, 'skip-duplicate') ? ' --skip-duplicate' : ''}`,
    ].join(' && \\\n'),
    env: [{ secretRef: { name: 'nuget-token', optional: true } }],
    volumes: certificates(str(f, 'certificatesMountPath')),
  }),
};
