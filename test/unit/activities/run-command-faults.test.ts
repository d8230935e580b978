// runCommand with faults injected in its I/O: the follower's output over a real exec
// connection (a fake exec endpoint sends what the test chooses) and the log store. Every
// fault fails or retries the step; none escapes into the process.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { FailureType } from '../../../activities/failures.ts';
import { runCommandActivity } from '../../../activities/run-command.ts';
import { PodFacade } from '../../../src/kube/pod-facade.ts';
import { LogStore } from '../../../src/logs/log-store.ts';
import type { RunCommandInput } from '../../../workflows/types.ts';
import { startFakeExecServer, watchProcessFaults, type ExecSession, type FakeExecServer } from '../../support/fake-exec-server.ts';

const input: RunCommandInput = {
  buildId: 'b1', stage: 'build', step: 'compile', pod: { name: 'wharf-b1-build-compile', uid: 'u1' },
  container: 'step', command: ['/bin/sh', '-c', 'make'], secrets: [],
};

/** A log store whose every write fails as a full disk does. */
function fullDiskLogs(): LogStore {
  const writer = {
    stored: { out: 0, err: 0 },
    write(): never {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
    mask: (text: string) => text,
  };
  // A structural stand-in: LogStore's writer has private fields a fake cannot declare.
  return { root: '/nonexistent', openWriter: () => writer } as unknown as LogStore;
}

describe('runCommand activity with faults in its I/O', () => {
  let server: FakeExecServer | undefined;
  let pods: PodFacade | undefined;
  let guard: ReturnType<typeof watchProcessFaults> | undefined;

  async function run(onExec: (s: ExecSession) => void, logs: LogStore = new LogStore(mkdtempSync(join(tmpdir(), 'run-faults-')))) {
    server = await startFakeExecServer(onExec);
    pods = new PodFacade(server.kc, 'wharf', 'app=x');
    guard = watchProcessFaults();
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 30_000 }, { logger: new DefaultLogger('ERROR') });
    return env.run(runCommandActivity({ pods, logs, followSessionSeconds: 30 }), input);
  }

  afterEach(async () => {
    // Let any stray callback fire before the verdict on the process.
    await new Promise((resolve) => setTimeout(resolve, 100));
    guard?.stop();
    pods?.close();
    await server?.close();
    assert.deepEqual(guard?.faults ?? [], [], 'nothing may escape into the process');
    guard = undefined;
  });

  it('reports the exit code of a well-formed session (the harness works)', async () => {
    const out = await run((s) => {
      s.stdout('s new\no 6\nhello\n');
      s.stdout('x 3\n');
      s.exit(0);
    });
    assert.deepEqual(out, { exitCode: 3, logTail: ['hello'] });
  });

  it('fails the step for good when the shell prints a banner', async () => {
    await assert.rejects(run((s) => s.stdout('Welcome to BusyBox v1.36!\ns new\n')), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure && err.nonRetryable, String(err));
      assert.equal(err.type, FailureType.FollowerProtocolError);
      assert.match(err.message, /broke its protocol \(unexpected output from the command follower: "Welcome to BusyBox v1\.36!"\).*shell print output of its own/);
      return true;
    });
  });

  it('fails the step for good on an empty exit-code file (a full state volume)', async () => {
    await assert.rejects(run((s) => s.stdout('s new\nx \n')), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure && err.nonRetryable, String(err));
      assert.match(err.message, /malformed number in follower output: ""/);
      return true;
    });
  });

  it('fails the step for good on a line without an end', async () => {
    await assert.rejects(run((s) => s.stdout('s new\n' + 'z'.repeat(10_000))), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure && err.type === FailureType.FollowerProtocolError, String(err));
      return true;
    });
  });

  it('fails the attempt (retried) when the log store cannot write', async () => {
    await assert.rejects(run((s) => s.stdout('s new\no 6\nhello\n'), fullDiskLogs()), (err: unknown) => {
      assert.ok(!(err instanceof ApplicationFailure && err.nonRetryable), 'a full disk may clear: the attempt is retried');
      assert.match(String(err), /ENOSPC: no space left on device/);
      return true;
    });
  });
});
