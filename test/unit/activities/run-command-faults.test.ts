// runCommand with faults injected in its I/O: the follower's output over a real exec
// connection (a fake exec endpoint sends what the test chooses) and the log store. Every
// fault fails or retries the step; none escapes into the process.
import assert from 'node:assert/strict';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { FailureType } from '../../../activities/failures.ts';
import { runCommandActivity } from '../../../activities/run-command.ts';
import type { LogRecord } from '../../../src/logs/log-record.ts';
import type { BuildStore } from '../../../src/store/build-store.ts';
import { StepLog } from '../../../src/store/step-log.ts';
import type { RunCommandInput } from '../../../workflows/types.ts';
import { activityEnvironment, fakeExecCluster, scratchStore } from '../../support/activity-harness.ts';
import type { ExecSession } from '../../support/fake-exec-server.ts';

const input: RunCommandInput = {
  buildId: 'b1',
  stage: 'build',
  step: 'compile',
  pod: { name: 'wharf-b1-build-compile', uid: 'u1' },
  container: 'step',
  command: ['/bin/sh', '-c', 'make'],
  secrets: [],
};

/** A build store whose writes fail as a full disk does, until `heal` is called. */
function fullDiskStore(): { store: BuildStore; stored: LogRecord[]; failures: () => number; heal(): void } {
  let full = true;
  let failures = 0;
  const stored: LogRecord[] = [];
  const sink = {
    opened: { out: 0, err: 0, bytes: 0, cut: false },
    async append(records: LogRecord[]) {
      if (full) {
        failures++;
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      stored.push(...records);
    },
    async finish() {},
  };
  // Only what runCommand uses of a store.
  const store = {
    location: '/full',
    openStep: async () => new StepLog(sink, 'build/compile'),
  } as unknown as BuildStore;
  return { store, stored, failures: () => failures, heal: () => (full = false) };
}

describe('runCommand activity with faults in its I/O', () => {
  const cluster = fakeExecCluster();

  async function run(
    onExec: (s: ExecSession) => void,
    store: BuildStore = scratchStore('run-faults'),
    env = activityEnvironment({ heartbeatTimeoutMs: 30_000 }),
  ) {
    const pods = await cluster.connect(onExec);
    return env.run(runCommandActivity({ pods, store, followSessionSeconds: 30 }), input);
  }

  it('reports the exit code of a well-formed session (the harness works)', async () => {
    const out = await run((s) => {
      s.stdout('s new\no 6\nhello\n');
      s.stdout('x 3\n');
      s.exit(0);
    });
    assert.deepEqual(out, { exitCode: 3, logTail: ['hello'] });
  });

  it('fails the step for good when the shell prints a banner', async () => {
    await assert.rejects(
      run((s) => s.stdout('Welcome to BusyBox v1.36!\ns new\n')),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure && err.nonRetryable, String(err));
        assert.equal(err.type, FailureType.FollowerProtocolError);
        assert.match(
          err.message,
          /broke its protocol \(unexpected output from the command follower: "Welcome to BusyBox v1\.36!"\).*shell print output of its own/,
        );
        return true;
      },
    );
  });

  it('fails the step for good on an empty exit-code file (a full state volume)', async () => {
    await assert.rejects(
      run((s) => s.stdout('s new\nx \n')),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure && err.nonRetryable, String(err));
        assert.match(err.message, /malformed number in follower output: ""/);
        return true;
      },
    );
  });

  it('fails the step for good on a line without an end', async () => {
    await assert.rejects(
      run((s) => s.stdout('s new\n' + 'z'.repeat(10_000))),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure && err.type === FailureType.FollowerProtocolError, String(err));
        return true;
      },
    );
  });

  it('neither fails nor loses a line while the store cannot write: the lines wait until it can', async () => {
    const full = fullDiskStore();
    const outcome = run((s) => {
      s.stdout('s new\no 6\nhello\n');
      s.stdout('x 0\n');
      s.exit(0);
    }, full.store);
    while (full.failures() < 2) await new Promise((r) => setTimeout(r, 20));
    full.heal();
    assert.deepEqual(await outcome, { exitCode: 0, logTail: ['hello'] });
    assert.deepEqual(
      full.stored.filter((r) => r.s === 'out').map((r) => [r.l, r.o]),
      [['hello', 6]],
    );
    assert.match(
      full.stored.find((r) => r.s === 'sys')?.l ?? '',
      /^the build store did not answer \(ENOSPC: no space left on device, write\)/,
    );
  });

  it('ends at once when cancelled while its lines wait for a store that is away; they are written when it returns', async () => {
    const full = fullDiskStore();
    const env = activityEnvironment({ heartbeatTimeoutMs: 30_000 });
    const outcome = run(
      (s) => {
        s.stdout('s new\no 6\nhello\n');
        s.stdout('x 0\n');
        s.exit(0);
      },
      full.store,
      env,
    );
    // The command has ended; its line waits for the store.
    while (full.failures() < 2) await new Promise((r) => setTimeout(r, 20));
    const cancelledAt = Date.now();
    env.cancel();
    await assert.rejects(outcome, (err: unknown) => {
      assert.ok(err instanceof CancelledFailure, String(err));
      return true;
    });
    assert.ok(Date.now() - cancelledAt < 1000, `ended ${Date.now() - cancelledAt} ms after the cancellation`);
    assert.equal(full.stored.length, 0, 'nothing stored yet');
    full.heal();
    const deadline = Date.now() + 5000;
    while (!full.stored.some((r) => r.s === 'out') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      full.stored.filter((r) => r.s === 'out').map((r) => [r.l, r.o]),
      [['hello', 6]],
    );
  });
});
