// transferSource with faults in its I/O, over a real exec connection to a fake exec
// endpoint: a file that vanishes or cannot be read mid-transfer fails the step naming
// it, and a receiver that stops reading stops the reader (memory stays bounded).
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../../activities/failures.ts';
import { transferSourceActivity } from '../../../activities/transfer-source.ts';
import { activityEnvironment, fakeExecCluster, scratchStore } from '../../support/activity-harness.ts';
import type { ExecSession } from '../../support/fake-exec-server.ts';

function sourceTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'transfer-'));
  writeFileSync(join(root, 'a.bin'), Buffer.alloc(4 * 1024 * 1024, 1));
  writeFileSync(join(root, 'b.txt'), 'second');
  return root;
}

describe('transferSource activity with faults in its I/O', () => {
  const cluster = fakeExecCluster();

  async function transfer(root: string, onExec: (s: ExecSession) => void) {
    const pods = await cluster.connect(onExec);
    const env = activityEnvironment({ heartbeatTimeoutMs: 30_000 });
    return env.run(transferSourceActivity({ pods, store: scratchStore('transfer-logs') }), {
      pod: { name: 'p1', uid: 'u1' },
      container: 'step',
      path: '/mnt/repo',
      source: { kind: 'local' as const, path: root },
    });
  }

  it('sends the tree (the harness works)', async () => {
    const root = sourceTree();
    const out = await transfer(
      root,
      (s) =>
        void s.stdin().then((tar) => {
          assert.ok(tar.includes(Buffer.from('second')));
          s.exit(0);
        }),
    );
    assert.deepEqual(out, { files: 2, skipped: [] });
  });

  it('fails the attempt, naming the file, when a file vanishes mid-transfer', async () => {
    const root = sourceTree();
    await assert.rejects(
      transfer(root, () => rmSync(join(root, 'b.txt'))),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure && err.type === FailureType.SourceUnreadable, String(err));
        assert.ok(!err.nonRetryable, 'the next attempt lists the tree again');
        assert.match(err.message, /cannot read b\.txt: it vanished while the source was being sent/);
        return true;
      },
    );
  });

  it('fails the step, naming the file, when a file cannot be read', async () => {
    const root = sourceTree();
    await assert.rejects(
      transfer(root, () => {
        // Unreadable: root reads any file, but not a folder as a file.
        rmSync(join(root, 'b.txt'));
        mkdirSync(join(root, 'b.txt'));
      }),
      (err: unknown) => {
        assert.ok(
          err instanceof ApplicationFailure && err.type === FailureType.SourceUnreadable && err.nonRetryable,
          String(err),
        );
        assert.match(err.message, /cannot read b\.txt: EISDIR/);
        return true;
      },
    );
  });

  it('reads no further than a slow receiver takes (bounded memory)', async function () {
    this.timeout(120_000);
    const root = mkdtempSync(join(tmpdir(), 'transfer-'));
    const size = 256 * 1024 * 1024;
    const fd = openSync(join(root, 'big.img'), 'w');
    ftruncateSync(fd, size);
    closeSync(fd);
    let peak = 0;
    const before = process.memoryUsage().rss;
    const out = await transfer(root, (s) => {
      s.discardStdin();
      const socket = (s.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      socket.pause(); // the receiver takes nothing for a while
      const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss - before)), 50);
      setTimeout(() => {
        clearInterval(sample);
        socket.resume();
      }, 2000);
      void s.stdin().then(() => s.exit(0));
    });
    assert.deepEqual(out, { files: 1, skipped: [] });
    assert.ok(
      peak < 100 * 1024 * 1024,
      `worker memory grew by ${Math.round(peak / 1024 / 1024)} MiB while the receiver waited`,
    );
  });
});
