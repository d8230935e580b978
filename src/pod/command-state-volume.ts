// The volume a step's detached command keeps its state in (src/command runs the command;
// the pod only has to carry the volume): an emptyDir, so the state is private to the pod
// and outlives any one exec connection.

/** Where the command's state lives in the container. */
export const RUN_STATE_MOUNT = '/var/run/wharf-temporal';
export const RUN_STATE_VOLUME = 'wharf-temporal-run';

/** Adds the emptyDir the detached command keeps its state in, mounted in `container`. Idempotent. */
export function withCommandStateVolume<P extends PodLike>(pod: P, container: string): P {
  const spec = pod.spec;
  if (!spec) return pod;
  const volumes = spec.volumes ?? [];
  const containers = spec.containers.map((c) => {
    if (c.name !== container || (c.volumeMounts ?? []).some((m) => m.name === RUN_STATE_VOLUME)) return c;
    return { ...c, volumeMounts: [...(c.volumeMounts ?? []), { name: RUN_STATE_VOLUME, mountPath: RUN_STATE_MOUNT }] };
  });
  const hasVolume = volumes.some((v) => v.name === RUN_STATE_VOLUME);
  return {
    ...pod,
    spec: {
      ...spec,
      containers,
      volumes: hasVolume ? volumes : [...volumes, { name: RUN_STATE_VOLUME, emptyDir: {} }],
    },
  };
}

interface PodLike {
  spec?: {
    containers: { name: string; volumeMounts?: { name: string; mountPath: string }[] }[];
    volumes?: { name: string; emptyDir?: object }[];
  };
}
