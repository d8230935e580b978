// Kubernetes sends no "Ready" event: this reads a pod's status and says whether its
// containers are ready to be exec'd into, still on their way, or never going to be.
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

export type PodReadiness =
  | { state: 'ready' }
  | { state: 'pending'; detail: string; unschedulable: string | null }
  | { state: 'failed'; reason: string; message: string };

/** Waiting reasons a kubelet will not get out of by itself. */
const FATAL_WAITING_REASONS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'CrashLoopBackOff',
]);

export function podReadiness(pod: V1Pod): PodReadiness {
  const verdict = readiness(pod);
  if (verdict.state !== 'failed') return verdict;
  return { ...verdict, message: namingMissingExecutable(pod, verdict.message) };
}

// The runtime's words for an executable the image does not have (runc through containerd
// or CRI-O; Docker's shim says the same of $PATH lookups).
const MISSING_EXECUTABLE = [
  /exec: "([^"]+)": stat [^:]+: no such file or directory/,
  /exec: "([^"]+)": executable file not found in \$PATH/,
];

/** Says which image lacks which program, when that is why a container did not start. */
function namingMissingExecutable(pod: V1Pod, message: string): string {
  const m = MISSING_EXECUTABLE.map((re) => re.exec(message)).find((x) => x !== null);
  if (!m) return message;
  const container = /^(?:init )?container (\S+?):? /.exec(message)?.[1];
  const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === container);
  const image = spec?.image ? `the image ${spec.image}` : "the container's image";
  return `${image} has no ${m[1]}, which the step runs as its shell: ${message}`;
}

function readiness(pod: V1Pod): PodReadiness {
  const status = pod.status ?? {};
  const containers = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  for (const c of containers) {
    const waiting = c.state?.waiting;
    if (waiting?.reason && FATAL_WAITING_REASONS.has(waiting.reason)) {
      return failed(
        waiting.reason,
        `container ${c.name}: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`,
      );
    }
  }
  for (const c of status.initContainerStatuses ?? []) {
    const t = c.state?.terminated;
    if (t && t.exitCode !== 0)
      return failed(
        'InitContainerFailed',
        `init container ${c.name} exited with code ${t.exitCode}${terminationDetail(c)}`,
      );
  }
  for (const c of status.containerStatuses ?? []) {
    if (c.state?.terminated)
      return failed(
        'ContainerTerminated',
        `container ${c.name} terminated with exit code ${c.state.terminated.exitCode}${terminationDetail(c)}`,
      );
  }
  if (status.phase === 'Failed' || status.phase === 'Succeeded') {
    return failed(
      status.reason ?? `Pod${status.phase}`,
      `pod ${status.phase.toLowerCase()}${status.message ? `: ${status.message}` : ''}`,
    );
  }
  const declared = pod.spec?.containers.length ?? 0;
  const appStatuses = status.containerStatuses ?? [];
  if (
    status.phase === 'Running' &&
    declared > 0 &&
    appStatuses.length === declared &&
    appStatuses.every((c) => c.ready)
  ) {
    return { state: 'ready' };
  }
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    const message = `${scheduled.reason ?? 'Unschedulable'}: ${scheduled.message ?? 'no node fits the pod'}`;
    return { state: 'pending', detail: message, unschedulable: message };
  }
  const waiting = appStatuses.find((c) => c.state?.waiting)?.state?.waiting;
  const detail = waiting?.reason ? `container waiting: ${waiting.reason}` : `pod ${status.phase ?? 'Pending'}`;
  return { state: 'pending', detail, unschedulable: null };
}

function failed(reason: string, message: string): PodReadiness {
  return { state: 'failed', reason, message };
}

function terminationDetail(c: V1ContainerStatus): string {
  const t = c.state?.terminated;
  if (!t) return '';
  const why = [t.reason, t.message].filter(Boolean).join(': ');
  return why ? ` (${why})` : '';
}
