// The rule: a fault in any activity's I/O (the cluster, the pod watch, exec, the log
// store) fails or retries that activity, and nothing escapes into the worker process.
// Every activity, with each of its dependencies failing in turn (runCommand's log store
// faults: run-command-faults.test.ts).
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { createActivities, type ActivityDeps } from '../../../activities/index.ts';
import { ExecConnectionLost } from '../../../src/kube/pod-exec.ts';
import type { PodFacade } from '../../../src/kube/pod-facade.ts';
import type { BuildStore } from '../../../src/store/build-store.ts';
import { activityEnvironment, assertNothingEscapes, scratchStore } from '../../support/activity-harness.ts';

const readyPod: V1Pod = {
  metadata: { name: 'p1', uid: 'u1', labels: {} },
  spec: { containers: [{ name: 'step', image: 'alpine' }] },
  status: {
    phase: 'Running',
    containerStatuses: [{ name: 'step', image: 'alpine', imageID: '', ready: true, restartCount: 0 }],
  },
};

/** Pod operations that work, unless a test replaces one with a fault. */
function pods(
  faults: Partial<Record<'create' | 'get' | 'delete' | 'exec' | 'waitFor', () => never | Promise<never>>> = {},
): PodFacade {
  const working = {
    create: async () => readyPod,
    get: async () => readyPod,
    delete: async () => true,
    exec: async () => 0,
    waitFor: async <T>(_name: string, test: (pod: V1Pod | null) => T | undefined) =>
      test(readyPod) ?? (test(null) as T),
    list: async () => [],
  };
  // A structural stand-in for the facade: its private fields cannot be declared by a fake.
  return { ...working, ...faults } as unknown as PodFacade;
}

function brokenLogs(): BuildStore {
  // As a log store on a full or read-only disk: opening a step's log fails.
  return {
    location: '/nonexistent',
    openStep: async () => {
      throw Object.assign(new Error('EROFS: read-only file system, open'), { code: 'EROFS' });
    },
  } as unknown as BuildStore;
}

const goodLogs = (): BuildStore => scratchStore('faults');
const lost = (): never => {
  throw new ExecConnectionLost('exec in p1/step: connection closed without an exit status');
};
const apiDown = (): Promise<never> =>
  Promise.reject(
    Object.assign(new Error('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    }),
  );
const watchBroken = (): Promise<never> => Promise.reject(new Error('the pod watch failed: socket hang up'));

const log = { buildId: 'b1', stage: 'build', step: 'compile' };
const podRef = { name: 'p1', uid: 'u1' };
type Call = (a: ReturnType<typeof createActivities>) => Promise<unknown>;
const calls: Record<string, Call> = {
  createPod: (a) => a.createPod({ pod: { metadata: { name: 'p1', labels: {} }, spec: { containers: [] } }, log }),
  awaitPodReady: (a) => a.awaitPodReady({ pod: podRef, pendingSeconds: 5, log }),
  transferSource: (a) =>
    a.transferSource({
      pod: podRef,
      container: 'step',
      path: '/mnt/repo',
      source: { kind: 'git', url: 'https://example.invalid/r.git', ref: 'main' },
      log,
    }),
  runCommand: (a) => a.runCommand({ ...log, pod: podRef, container: 'step', command: ['true'], secrets: [] }),
  deletePod: (a) => a.deletePod({ name: 'p1', uid: 'u1' }),
};

const cases: { activity: keyof typeof calls; fault: string; deps: () => ActivityDeps; expect: RegExp | null }[] = [
  {
    activity: 'createPod',
    fault: 'the API server',
    deps: () => ({ pods: pods({ create: apiDown }), store: goodLogs() }),
    expect: /fetch failed/,
  },
  {
    activity: 'createPod',
    fault: 'the log store',
    deps: () => ({ pods: pods({ create: apiDown }), store: brokenLogs() }),
    expect: null,
  },
  {
    activity: 'awaitPodReady',
    fault: 'the pod watch',
    deps: () => ({ pods: pods({ waitFor: watchBroken }), store: goodLogs() }),
    expect: /socket hang up/,
  },
  {
    activity: 'awaitPodReady',
    fault: 'the log store',
    deps: () => ({ pods: pods(), store: brokenLogs() }),
    expect: null,
  },
  {
    activity: 'transferSource',
    fault: 'the exec stream',
    deps: () => ({ pods: pods({ exec: lost }), store: goodLogs() }),
    expect: /source transfer interrupted/,
  },
  {
    activity: 'transferSource',
    fault: 'the log store',
    deps: () => ({ pods: pods(), store: brokenLogs() }),
    expect: null,
  },
  {
    activity: 'runCommand',
    fault: 'the exec stream',
    deps: () => ({
      pods: pods({
        exec: () => {
          throw new Error('exec stream reset');
        },
        get: apiDown,
      }),
      store: goodLogs(),
    }),
    expect: /exec stream reset/,
  },
  {
    activity: 'deletePod',
    fault: 'the API server',
    deps: () => ({ pods: pods({ delete: apiDown }), store: goodLogs() }),
    expect: /fetch failed/,
  },
  {
    activity: 'deletePod',
    fault: 'the pod watch',
    deps: () => ({ pods: pods({ waitFor: watchBroken }), store: goodLogs() }),
    expect: /socket hang up/,
  },
];

describe('every activity with a fault injected in its I/O', () => {
  for (const c of cases) {
    it(`${c.activity}: a fault in ${c.fault} stays in that activity`, async () => {
      await assertNothingEscapes(async () => {
        const env = activityEnvironment({ heartbeatTimeoutMs: 30_000 });
        const activities = createActivities(c.deps());
        const run = env.run(() => calls[c.activity]!(activities));
        // The store's trouble is told where the store says, while the step goes on; a
        // fault elsewhere fails the attempt. Either way the activity settles.
        if (c.expect) await assert.rejects(run, c.expect);
        else await run.catch(() => {});
      }, 50);
    });
  }
});
