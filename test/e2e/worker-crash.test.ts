// Kill -9 the worker in each phase of a step, on the simulated nodes (the command runs on
// the lab host; the pod asks kwok for a readiness delay, so the kill can land while the
// worker waits for it): see test/support/worker-crash.ts for what each case asserts.
import { labStep } from '../support/lab-plans.ts';
import { defineWorkerCrashTests } from '../support/worker-crash.ts';

defineWorkerCrashTests({
  title: 'worker killed mid-build',
  step: (_lab, id, script, _counterDir, phase) => {
    const step = labStep(id, 'build', 'crash', script);
    if (phase === 'waiting for readiness')
      step.pod.metadata!.annotations = { ...step.pod.metadata!.annotations, 'wharf-temporal.lab/ready-delay': '6s' };
    return step;
  },
});
