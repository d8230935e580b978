import assert from 'node:assert/strict';
import type { V1ContainerState, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { podReadiness } from '../../../src/kube/pod-readiness.ts';

function pod(status: V1Pod['status'], containers = 1): V1Pod {
  return { spec: { containers: Array.from({ length: containers }, (_, i) => ({ name: `c${i}` })) }, status };
}

/** A container's status as the kubelet reports it: not ready unless said, in `state`. */
function containerStatus(state?: V1ContainerState, name = 'c0', ready = false): V1ContainerStatus {
  return { name, ready, image: '', imageID: '', restartCount: 0, ...(state ? { state } : {}) };
}

describe('pod readiness', () => {
  it('is ready only when the pod runs and every app container is ready', () => {
    const ready = containerStatus(undefined, 'c0', true);
    assert.deepEqual(podReadiness(pod({ phase: 'Running', containerStatuses: [ready] })), { state: 'ready' });
    assert.equal(podReadiness(pod({ phase: 'Running', containerStatuses: [ready] }, 2)).state, 'pending');
    assert.equal(
      podReadiness(pod({ phase: 'Running', containerStatuses: [{ ...ready, ready: false }] })).state,
      'pending',
    );
  });

  it('fails at once on an image that cannot be pulled, naming the container and the reason', () => {
    const r = podReadiness(
      pod({
        phase: 'Pending',
        containerStatuses: [
          containerStatus({ waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope"' } }),
        ],
      }),
    );
    assert.deepEqual(r, {
      state: 'failed',
      reason: 'ImagePullBackOff',
      message: 'container c0: ImagePullBackOff: Back-off pulling image "nope"',
    });
  });

  it('fails when a container terminates or an init container exits non-zero', () => {
    const terminated = podReadiness(
      pod({
        phase: 'Running',
        containerStatuses: [containerStatus({ terminated: { exitCode: 2, reason: 'Error' } })],
      }),
    );
    assert.equal(terminated.state, 'failed');
    assert.match((terminated as { message: string }).message, /container c0 terminated with exit code 2 \(Error\)/);
    const init = podReadiness(
      pod({
        phase: 'Pending',
        initContainerStatuses: [containerStatus({ terminated: { exitCode: 1 } }, 'init')],
      }),
    );
    assert.match((init as { message: string }).message, /init container init exited with code 1/);
  });

  it("reports an unschedulable pod as pending with the scheduler's message", () => {
    const r = podReadiness(
      pod({
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available' },
        ],
      }),
    );
    assert.deepEqual(r, {
      state: 'pending',
      detail: 'Unschedulable: 0/2 nodes are available',
      unschedulable: 'Unschedulable: 0/2 nodes are available',
    });
  });

  it('names the image and the shell it lacks when a container cannot start without it', () => {
    const runc =
      'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: ' +
      'unable to start container process: error during container init: exec: "/bin/sh": stat /bin/sh: no such file or directory: unknown';
    const p = pod({
      phase: 'Running',
      containerStatuses: [containerStatus({ terminated: { exitCode: 128, reason: 'StartError', message: runc } })],
    });
    p.spec!.containers[0]!.image = 'registry.example/tools/bare:1';
    const r = podReadiness(p) as { state: string; message: string };
    assert.equal(r.state, 'failed');
    assert.equal(
      r.message,
      `the image registry.example/tools/bare:1 has no /bin/sh, which the step runs as its shell: container c0 terminated with exit code 128 (StartError: ${runc})`,
    );
    const waiting = podReadiness(
      pod({
        phase: 'Pending',
        containerStatuses: [
          containerStatus({
            waiting: { reason: 'RunContainerError', message: 'exec: "/bin/bash": executable file not found in $PATH' },
          }),
        ],
      }),
    ) as { message: string };
    assert.match(waiting.message, /^the container's image has no \/bin\/bash, which/);
  });
});
