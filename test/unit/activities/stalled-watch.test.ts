// The shared pod watch stalls silently (the connection stays open, nothing comes): a
// waiter still sees its pod become ready, through re-reads and a restarted watch.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { V1Pod } from '@kubernetes/client-node';
import { awaitPodReadyActivity } from '../../../activities/await-pod-ready.ts';
import { PodFacade } from '../../../src/kube/pod-facade.ts';
import { activityEnvironment, assertNothingEscapes, scratchStore } from '../../support/activity-harness.ts';
import { startFakeExecServer, type FakeExecServer } from '../../support/fake-exec-server.ts';

function pod(ready: boolean, resourceVersion: string): V1Pod {
  return {
    metadata: { name: 'p1', uid: 'u1', resourceVersion, creationTimestamp: new Date() },
    spec: { containers: [{ name: 'step', image: 'alpine' }] },
    status: ready
      ? {
          phase: 'Running',
          containerStatuses: [
            { name: 'step', image: 'alpine', imageID: '', ready: true, restartCount: 0, state: { running: {} } },
          ],
        }
      : { phase: 'Pending' },
  };
}

/** An API server whose watch connects and then says nothing; reads give the pod's real state. */
async function stalledApi(state: {
  ready: boolean;
}): Promise<{ server: FakeExecServer; watches: ServerResponse[]; lists: number[] }> {
  const watches: ServerResponse[] = [];
  const lists: number[] = [];
  const server = await startFakeExecServer(
    () => {},
    (req, res, url) => {
      const json = (body: unknown): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      // Opaque, non-numeric versions, as the API server is free to use.
      const current = pod(state.ready, state.ready ? 'rv-b' : 'rv-a');
      if (url.pathname === '/api/v1/namespaces/wharf/pods' && url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        watches.push(res); // and never a byte
        // The pod becomes ready once the watch is up: only the watch could have told.
        if (watches.length === 1) setTimeout(() => (state.ready = true), 200);
        return true;
      }
      if (url.pathname === '/api/v1/namespaces/wharf/pods') {
        lists.push(Date.now());
        json({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: 'list-1' }, items: [current] });
        return true;
      }
      if (url.pathname === '/api/v1/namespaces/wharf/pods/p1' && req.method === 'GET') {
        json({ kind: 'Pod', apiVersion: 'v1', ...current });
        return true;
      }
      return false;
    },
  );
  return { server, watches, lists };
}

describe('a silently stalled pod watch', () => {
  it('does not fail a ready pod as a pending timeout: the pod is read again before that verdict', async () => {
    const state = { ready: false };
    const { server, watches } = await stalledApi(state);
    // Re-reads and stall detection far away: only the check before the verdict can save it.
    const pods = new PodFacade(server.kc, 'wharf', 'app=x', { resyncMs: 600_000, watch: { stallMs: 600_000 } });
    await assertNothingEscapes(async () => {
      try {
        const store = scratchStore('stall');
        const env = activityEnvironment({ heartbeatTimeoutMs: 30_000 });
        await env.run(awaitPodReadyActivity({ pods, store }), { pod: { name: 'p1', uid: 'u1' }, pendingSeconds: 2 });
        assert.ok(watches.length >= 1, 'the watch was connected (and silent)');
      } finally {
        pods.close();
        await server.close();
      }
    });
  });

  it('is restarted with a fresh list, and waiters see the news', async () => {
    const state = { ready: false };
    const { server, watches, lists } = await stalledApi(state);
    const pods = new PodFacade(server.kc, 'wharf', 'app=x', {
      resyncMs: 600_000,
      watch: { stallMs: 500, reconnectDelayMs: 50 },
    });
    try {
      const seen = pods.waitFor(
        'p1',
        (p) => (p?.status?.phase === 'Running' ? p.metadata?.resourceVersion : undefined),
        AbortSignal.timeout(10_000),
      );
      assert.equal(await seen, 'rv-b');
      assert.ok(lists.length >= 2, `the pods were listed again (${lists.length} lists)`);
      for (let i = 0; i < 40 && watches.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(watches.length >= 2, `and the stalled watch restarted (${watches.length} watches)`);
      for (const w of watches)
        assert.match(w.req.url ?? '', /timeoutSeconds=\d+/, 'every watch asks the server to end it in time');
    } finally {
      pods.close();
      await server.close();
    }
  });
});
