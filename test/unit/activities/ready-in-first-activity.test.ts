// transferSource and runCommand asked to wait for their pod (awaitReady): they start
// nothing in a pod that is not ready, fail for good on a pod that never can be, and a
// retry of a command that already saw its pod ready does not wait again.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities } from '../../../activities/index.ts';
import { ExecRejected } from '../../../src/kube/pod-exec.ts';
import type { PodFacade } from '../../../src/kube/pod-facade.ts';
import { FileStore } from '../../../src/store/file-store.ts';

const container = { name: 'step', image: 'alpine', imageID: '', restartCount: 0 };
const readyPod: V1Pod = {
  metadata: { name: 'p1', uid: 'u1', labels: {} },
  spec: { containers: [{ name: 'step', image: 'alpine' }], nodeName: 'n1' },
  status: { phase: 'Running', containerStatuses: [{ ...container, ready: true }] },
};
const pullFailing: V1Pod = {
  ...readyPod,
  status: {
    phase: 'Pending',
    containerStatuses: [
      { ...container, ready: false, state: { waiting: { reason: 'ImagePullBackOff', message: 'no such image' } } },
    ],
  },
};

/** Pod operations on one pod in a fixed state; counts the waits and the execs. */
function podsWith(pod: V1Pod): { pods: PodFacade; waits: () => number; execs: () => number } {
  let waits = 0;
  let execs = 0;
  const fake = {
    get: async () => pod,
    waitFor: async <T>(_name: string, test: (p: V1Pod | null) => T | undefined) => {
      waits++;
      const verdict = test(pod);
      if (verdict === undefined) throw new Error('the fake pod never changes');
      return verdict;
    },
    exec: async () => {
      execs++;
      throw new ExecRejected('exec refused by the fake');
    },
  };
  // A structural stand-in for the facade: its private fields cannot be declared by a fake.
  return { pods: fake as unknown as PodFacade, waits: () => waits, execs: () => execs };
}

const log = { buildId: 'b1', stage: 'build', step: 'compile' };
const pod = { name: 'p1', uid: 'u1' };
const store = (): FileStore => new FileStore(mkdtempSync(join(tmpdir(), 'ready-first-')));
const env = (heartbeatDetails?: unknown): MockActivityEnvironment =>
  new MockActivityEnvironment(
    { heartbeatTimeoutMs: 30_000, ...(heartbeatDetails ? { heartbeatDetails } : {}) },
    { logger: new DefaultLogger('ERROR') },
  );
const command = { ...log, pod, container: 'step', command: ['true'], secrets: [], awaitReady: { pendingSeconds: 30 } };

describe('activities that wait for their pod first', () => {
  it('runCommand fails for good on a pod whose image cannot be pulled, and runs nothing', async () => {
    const fake = podsWith(pullFailing);
    const activities = createActivities({ pods: fake.pods, store: store() });
    const err = await env()
      .run(() => activities.runCommand(command))
      .catch((e: unknown) => e);
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /ImagePullBackOff/);
    assert.equal(fake.execs(), 0);
  });

  it('runCommand on a ready pod waits once, says so in the log, then starts the command', async () => {
    const fake = podsWith(readyPod);
    const logs = store();
    const activities = createActivities({ pods: fake.pods, store: logs });
    await assert.rejects(
      env().run(() => activities.runCommand(command)),
      /exec refused/,
    );
    assert.equal(fake.waits(), 1);
    assert.equal(fake.execs(), 1);
    const { records } = await logs.read(log, 0);
    assert.ok(
      records.some((r) => r.l === 'pod p1 ready on n1'),
      JSON.stringify(records),
    );
  });

  it('a retried runCommand whose pod was ready does not wait for it again', async () => {
    const fake = podsWith(pullFailing);
    const activities = createActivities({ pods: fake.pods, store: store() });
    await assert.rejects(
      env({ out: 0, err: 0, readyAt: Date.now() }).run(() => activities.runCommand(command)),
      /exec refused/,
    );
    assert.equal(fake.waits(), 0);
    assert.equal(fake.execs(), 1);
  });

  it('transferSource fails for good on a pod that cannot become ready, and sends nothing', async () => {
    const fake = podsWith(pullFailing);
    const activities = createActivities({ pods: fake.pods, store: store() });
    const err = await env()
      .run(() =>
        activities.transferSource({
          pod,
          container: 'step',
          path: '/mnt/repo',
          source: { kind: 'git', url: 'https://example.invalid/r.git', ref: 'main' },
          log,
          awaitReady: { pendingSeconds: 30 },
        }),
      )
      .catch((e: unknown) => e);
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.match(err.message, /ImagePullBackOff/);
    assert.equal(fake.execs(), 0);
  });
});
