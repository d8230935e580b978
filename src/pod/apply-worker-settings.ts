// The worker's settings laid over a step pod from the plan (made by whoever started the
// build) just before the worker creates it, and over the command it then execs: step
// images, pod defaults, and the docker step's builder. Pure functions; with the default
// settings both return their input unchanged.
import type { V1Container, V1EnvVar, V1Pod } from '@kubernetes/client-node';
import { KANIKO_EXECUTOR, kanikoToBuildkit } from './buildkit-command.ts';
import { SOURCE_CONTAINER, STEP_CONTAINER } from './translate-step.ts';
import type { WorkerPodSettings } from './worker-pod-settings.ts';

export const STEP_TYPE_ANNOTATION = 'wharf-temporal/step-type';
/** Where buildkitd keeps its state in a BuildKit step pod (an emptyDir: not on the container's overlay). */
export const BUILDKIT_STATE_MOUNT = '/var/lib/buildkit';
const BUILDKIT_STATE_VOLUME = 'buildkit-state';
/** Where the docker step's registry credentials are mounted (kaniko's place, kept for BuildKit). */
const DOCKER_CONFIG_DIR = '/kaniko/.docker';

export function applyWorkerSettingsToPod(pod: V1Pod, settings: WorkerPodSettings): V1Pod {
  const type = pod.metadata?.annotations?.[STEP_TYPE_ANNOTATION];
  const out: V1Pod = structuredClone(pod);
  const spec = out.spec;
  if (!spec) return out;
  spec.containers = spec.containers.map((c) => overlayContainer(c, type, settings));

  const d = settings.pod;
  if (d.nodeSelector && Object.keys(d.nodeSelector).length)
    spec.nodeSelector = { ...d.nodeSelector, ...spec.nodeSelector };
  if (d.tolerations?.length) spec.tolerations = [...(spec.tolerations ?? []), ...d.tolerations];
  if (d.imagePullSecrets?.length) {
    const have = new Set((spec.imagePullSecrets ?? []).map((s) => s.name));
    spec.imagePullSecrets = [
      ...(spec.imagePullSecrets ?? []),
      ...d.imagePullSecrets.filter((n) => !have.has(n)).map((name) => ({ name })),
    ];
  }
  if (d.securityContext && Object.keys(d.securityContext).length)
    spec.securityContext = { ...d.securityContext, ...spec.securityContext };
  if (d.resources) {
    spec.containers = spec.containers.map((c) =>
      c.resources && Object.keys(c.resources).length ? c : { ...c, resources: structuredClone(d.resources) },
    );
  }
  // The plan's own labels and annotations (the step's identity) always win.
  if (d.labels && Object.keys(d.labels).length)
    out.metadata = { ...out.metadata, labels: { ...d.labels, ...out.metadata?.labels } };
  if (d.annotations && Object.keys(d.annotations).length)
    out.metadata = { ...out.metadata, annotations: { ...d.annotations, ...out.metadata?.annotations } };

  if (type === 'docker' && settings.dockerBuilder === 'buildkit' && isKanikoStep(pod)) {
    spec.volumes = [...(spec.volumes ?? []), { name: BUILDKIT_STATE_VOLUME, emptyDir: {} }];
  }
  return out;
}

function overlayContainer(c: V1Container, type: string | undefined, s: WorkerPodSettings): V1Container {
  if (c.name === SOURCE_CONTAINER) return s.images.source ? { ...c, image: s.images.source } : c;
  if (c.name !== STEP_CONTAINER) return c;
  switch (type) {
    case 'docker':
      if (s.dockerBuilder === 'buildkit') return buildkitContainer(c, s.images.buildkit ?? DEFAULT_BUILDKIT_IMAGE);
      return s.images.kaniko ? { ...c, image: s.images.kaniko } : c;
    case 'kubectl':
      return s.images.kubectl ? { ...c, image: s.images.kubectl } : c;
    case 'helm':
      return s.images.helm ? { ...c, image: `${s.images.helm}:${tagOf(c.image ?? '')}` } : c;
    case 'helm-package':
      return s.images.helmPackage ? { ...c, image: s.images.helmPackage } : c;
    case 'nuget-package':
      return s.images.nugetPackage ? { ...c, image: s.images.nugetPackage } : c;
    default:
      return c;
  }
}

/** BuildKit's own image, which has buildctl-daemonless.sh and /bin/sh. */
export const DEFAULT_BUILDKIT_IMAGE = 'docker.io/moby/buildkit:v0.34.2';

// buildkitd runs containers for the Dockerfile's RUN lines: it needs a privileged
// container and state off the overlay root. The keep-alive moves to the image's /bin/sh.
function buildkitContainer(c: V1Container, image: string): V1Container {
  const env: V1EnvVar[] = [
    ...(c.env ?? []),
    { name: 'BUILDKITD_FLAGS', value: '--oci-worker-net=host' },
    ...((c.volumeMounts ?? []).some((m) => m.mountPath === DOCKER_CONFIG_DIR)
      ? [{ name: 'DOCKER_CONFIG', value: DOCKER_CONFIG_DIR }]
      : []),
  ];
  return {
    ...c,
    image,
    command: c.command ? ['/bin/sh', ...c.command.slice(1)] : c.command,
    env,
    securityContext: { ...c.securityContext, privileged: true },
    volumeMounts: [...(c.volumeMounts ?? []), { name: BUILDKIT_STATE_VOLUME, mountPath: BUILDKIT_STATE_MOUNT }],
  };
}

function isKanikoStep(pod: V1Pod): boolean {
  return pod.spec?.containers.some((c) => c.name === STEP_CONTAINER) ?? false;
}

function tagOf(image: string): string {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? image.slice(colon + 1) : 'latest';
}

export interface ExecSpec {
  command: string[];
  shell?: string;
}

/** The command the worker execs for a step, under its settings (the docker step's builder). */
export function applyWorkerSettingsToExec(exec: ExecSpec, settings: WorkerPodSettings): ExecSpec {
  if (settings.dockerBuilder === 'buildkit' && exec.command[0] === KANIKO_EXECUTOR) {
    return { command: kanikoToBuildkit(exec.command), shell: '/bin/sh' };
  }
  return exec;
}
