// createPod against a cluster that does not answer (a closed port, through the real
// client): the attempt fails as retryable, and the step's log says why on attempts
// 1, 2, 4, 8, ... only.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { createPodActivity } from '../../../activities/create-pod.ts';
import { readAllRecords } from '../../../src/client/log-follower.ts';
import { PodFacade } from '../../../src/kube/pod-facade.ts';
import { activityEnvironment, scratchStore } from '../../support/activity-harness.ts';

/** A port nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('createPod activity with the cluster out of reach', () => {
  it('fails retryably and tells the step log on attempts 1, 2, 4 and 8', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `https://127.0.0.1:${await closedPort()}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const pods = new PodFacade(kc, 'wharf', 'app=x');
    const store = scratchStore('create-pod');
    const createPod = createPodActivity({ pods, store });
    const log = { buildId: 'b1', stage: 'build', step: 'compile' };
    const pod = {
      metadata: { name: 'wharf-b1-build-compile', labels: {} },
      spec: { containers: [{ name: 'c', image: 'alpine' }] },
    };
    try {
      for (let attempt = 1; attempt <= 9; attempt++) {
        await assert.rejects(activityEnvironment({ attempt }).run(createPod, { pod, log }), (err: unknown) => {
          assert.ok(!(err instanceof ApplicationFailure), 'a network failure is retryable');
          return true;
        });
      }
    } finally {
      pods.close();
    }
    const lines = (await readAllRecords(store, 'b1', null)).map(({ record }) => `${record.s} ${record.l}`);
    assert.equal(lines.length, 4, lines.join('\n'));
    lines.forEach((line, i) => {
      assert.match(
        line,
        new RegExp(
          `^sys cannot create pod wharf-b1-build-compile yet \\(attempt ${2 ** i}\\): fetch failed \\(connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+\\); retrying$`,
        ),
      );
    });
  });
});
