// What the activities' unit tests share: a mock activity context that logs only errors,
// a build store in a fresh folder, a watch on the process for faults that escape an
// activity, and the fake exec endpoint with a pod facade on it, closed after each test.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { PodFacade } from '../../src/kube/pod-facade.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { startFakeExecServer, watchProcessFaults, type ExecSession, type FakeExecServer } from './fake-exec-server.ts';

/** A mock activity context with `info` (heartbeat timeout, attempt, ...) whose logger prints only errors. */
export function activityEnvironment(info: Partial<Info> = {}): MockActivityEnvironment {
  return new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
}

/** A folder build store in a fresh temporary folder named after `prefix`. */
export function scratchStore(prefix: string): FileStore {
  return new FileStore(mkdtempSync(join(tmpdir(), `${prefix}-`)));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `body` with the process watched, then `settleMs` more for stray callbacks, and fails
 * when an uncaught exception or unhandled rejection came meanwhile: the worker would die of it.
 */
export async function assertNothingEscapes(body: () => Promise<void>, settleMs = 0): Promise<void> {
  const guard = watchProcessFaults();
  try {
    await body();
    if (settleMs > 0) await sleep(settleMs);
  } finally {
    guard.stop();
  }
  assert.deepEqual(guard.faults, [], 'nothing may escape into the process');
}

/**
 * The fake exec endpoint for the tests of one `describe` (call it there: it adds an
 * `afterEach`). `connect` starts the endpoint, with `onExec` answering each exec, and gives
 * a pod facade on it; after each test both are closed and the process must have seen no
 * fault since `connect`.
 */
export function fakeExecCluster(): { connect(onExec: (session: ExecSession) => void): Promise<PodFacade> } {
  let server: FakeExecServer | undefined;
  let pods: PodFacade | undefined;
  let guard: ReturnType<typeof watchProcessFaults> | undefined;
  afterEach(async () => {
    // Let any stray callback fire before the verdict on the process.
    await sleep(100);
    guard?.stop();
    pods?.close();
    await server?.close();
    const faults = guard?.faults ?? [];
    server = undefined;
    pods = undefined;
    guard = undefined;
    assert.deepEqual(faults, [], 'nothing may escape into the process');
  });
  return {
    async connect(onExec) {
      server = await startFakeExecServer(onExec);
      pods = new PodFacade(server.kc, 'wharf', 'app=x');
      guard = watchProcessFaults();
      return pods;
    },
  };
}
