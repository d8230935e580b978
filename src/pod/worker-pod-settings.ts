// What a worker's operator decides about the pods it creates, whatever the build says:
// the image of each step type (as wharf-cmd's config has) and pod defaults applied to
// every step pod. Plain data; read and validated by src/config/worker-settings.ts.
import type { V1PodSecurityContext, V1ResourceRequirements, V1Toleration } from '@kubernetes/client-node';

/** Which program builds the docker step's image. */
export type DockerBuilder = 'kaniko' | 'buildkit';
export const DOCKER_BUILDERS: readonly DockerBuilder[] = ['kaniko', 'buildkit'];

export interface StepImages {
  /** kaniko's executor image (its debug variant: it needs /busybox/sh). */
  kaniko?: string;
  /** An image with BuildKit's buildctl-daemonless.sh, buildkitd, buildctl and /bin/sh. */
  buildkit?: string;
  kubectl?: string;
  /** The helm step's image repository; the tag is the step's helmVersion. */
  helm?: string;
  helmPackage?: string;
  nugetPackage?: string;
  /** The small image with /bin/sh and tar that receives the source beside images without them. */
  source?: string;
}

export interface PodDefaults {
  nodeSelector?: Record<string, string>;
  tolerations?: V1Toleration[];
  /** Resources of every step container that sets none. */
  resources?: V1ResourceRequirements;
  imagePullSecrets?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  securityContext?: V1PodSecurityContext;
}

export interface WorkerPodSettings {
  dockerBuilder: DockerBuilder;
  images: StepImages;
  pod: PodDefaults;
}

export const DEFAULT_WORKER_POD_SETTINGS: WorkerPodSettings = { dockerBuilder: 'kaniko', images: {}, pod: {} };
