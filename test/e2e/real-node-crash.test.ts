// Kill -9 the worker in each phase of a step on the real node, in a real container: the
// worker processes run with the lab's worker settings, the command counts its runs in a
// host folder mounted into the pod, and in the readiness case an init container holds the
// pod unready for a few seconds so the kill can land while the worker waits for it (see
// test/support/worker-crash.ts for what each case asserts).
import assert from 'node:assert/strict';
import { labStep } from '../support/lab-plans.ts';
import { realNode } from '../support/real-node.ts';
import { defineWorkerCrashTests } from '../support/worker-crash.ts';

const COUNTER_MOUNT = '/mnt/count';

defineWorkerCrashTests({
  title: 'worker killed mid-build on the real node',
  workerEnv: (lab) => ({ WHARF_TEMPORAL_WORKER_CONFIG: realNode(lab).settingsFile }),
  counterPath: () => COUNTER_MOUNT,
  step: (lab, id, script, counterDir, phase) => {
    const busybox = realNode(lab).images.BUSYBOX!;
    const step = labStep(id, 'build', 'crash', script, busybox);
    const spec = step.pod.spec!;
    if (phase === 'waiting for readiness')
      spec.initContainers = [{ name: 'hold', image: busybox, command: ['/bin/sh', '-c', 'sleep 8'] }];
    spec.volumes = [...(spec.volumes ?? []), { name: 'count', hostPath: { path: counterDir, type: 'Directory' } }];
    spec.containers[0]!.volumeMounts = [
      ...(spec.containers[0]!.volumeMounts ?? []),
      { name: 'count', mountPath: COUNTER_MOUNT },
    ];
    return step;
  },
  checkPods: (lab, census) => assert.deepEqual([...census.nodes.values()], [realNode(lab).node]),
});
