// deletePod on the lab's real API server deletes only the step's own pod: after createPod
// found the name taken by another build's pod, cleanup leaves that pod alone.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createPodActivity } from '../../activities/create-pod.ts';
import { deletePodActivity } from '../../activities/delete-pod.ts';
import { FailureType } from '../../activities/failures.ts';
import { PodFacade } from '../../src/kube/pod-facade.ts';
import { MANAGED_BY_SELECTOR } from '../../src/pod/labels.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { connectLab, type Lab } from '../support/lab.ts';
import { labStep } from '../support/lab-plans.ts';

describe('deletePod on the lab', function () {
  this.timeout(60_000);
  let lab: Lab;
  let pods: PodFacade;
  const env = () => new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });

  before(() => {
    lab = connectLab();
    pods = new PodFacade(lab.kc, lab.namespace, MANAGED_BY_SELECTOR);
  });
  after(() => pods.close());

  it('leaves a pod of another build alone after PodNameTaken, and deletes by the uid it created', async () => {
    const id = `own-${Date.now().toString(36)}`;
    const theirs = labStep(`${id}-a`, 'build', 'compile', 'true').pod;
    const ours = labStep(`${id}-b`, 'build', 'compile', 'true').pod;
    ours.metadata!.name = theirs.metadata!.name; // the same name, another build
    const name = theirs.metadata!.name!;
    const existing = await pods.create(theirs);
    try {
      const deps = { pods, store: new FileStore(mkdtempSync(join(tmpdir(), 'own-pod-'))) };
      await assert.rejects(
        env().run(createPodActivity(deps), { pod: ours }),
        (err: unknown) => err instanceof ApplicationFailure && err.type === FailureType.PodNameTaken,
      );
      // The step's cleanup: creation never confirmed, so only a pod with its labels goes.
      await env().run(deletePodActivity(deps), { name, labels: ours.metadata!.labels! });
      assert.equal(
        (await pods.get(name))?.metadata?.uid,
        existing.metadata?.uid,
        "the other build's pod is still there",
      );
      // A uid that is not that pod's: the API server's precondition keeps it.
      await env().run(deletePodActivity(deps), { name, uid: 'not-the-pods-uid' });
      assert.equal(
        (await pods.get(name))?.metadata?.uid,
        existing.metadata?.uid,
        "the other build's pod is still there",
      );
      // Its owner's cleanup, by its uid, deletes it and waits until it is gone.
      await env().run(deletePodActivity(deps), { name, uid: existing.metadata!.uid! });
      assert.equal(await pods.get(name), null);
    } finally {
      await pods.delete(name, { gracePeriodSeconds: 0 }).catch(() => {});
    }
  });

  it('deletes by uid with no grace period: a pod whose node never answers is gone when the delete returns', async () => {
    const step = labStep(`grace-${Date.now().toString(36)}`, 'build', 'compile', 'true');
    // Bound to a node with no kubelet: only a deletion without grace removes it at once
    // (a graceful one waits for a kubelet that never confirms, the pod's 30 s and more).
    step.pod.spec!.nodeName = 'lab-node-without-kubelet';
    const created = await pods.create(step.pod);
    const name = created.metadata!.name!;
    try {
      assert.equal(await pods.delete(name, { gracePeriodSeconds: 0, uid: created.metadata!.uid! }), true);
      assert.equal(await pods.get(name), null, 'the pod is gone, not terminating for its grace period');
    } finally {
      await pods.delete(name, { gracePeriodSeconds: 0 }).catch(() => {});
    }
  });
});
