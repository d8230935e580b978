// A build started detached, followed with `logs --follow` from another process, while
// the worker running it is killed and a new one takes over: the follower sees every line
// once and ends with the build's outcome; the command ran once; no pod is left.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPods, connectLab, type Lab } from '../support/lab.ts';
import { gatedTicks, TICKS } from '../support/ticks.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin/wharf-temporal.js');

describe('a detached build followed from another terminal', function () {
  this.timeout(180_000);
  let lab: Lab;
  let env: NodeJS.ProcessEnv;
  const started: ChildProcess[] = [];

  before(() => {
    lab = connectLab();
    env = {
      ...process.env,
      TEMPORAL_ADDRESS: '',
      WHARF_TEMPORAL_TASK_QUEUE: `detached-${process.pid}`,
      WHARF_TEMPORAL_LOG_DIR: mkdtempSync(join(tmpdir(), 'detached-logs-')),
      NO_COLOR: '1',
    };
  });
  after(() => {
    for (const child of started) child.kill('SIGKILL');
  });

  /** A CLI process, its output collected as it comes. */
  function start(
    args: string[],
    extraEnv: NodeJS.ProcessEnv = {},
  ): { child: ChildProcess; out: () => string; exit: Promise<number | null> } {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...env, ...extraEnv } });
    started.push(child);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    return { child, out: () => out, exit };
  }

  async function until(what: string, test: () => boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`survives its worker stopped with ${signal} mid-command; logs --follow sees each line once and the outcome`, async () => {
      // A task queue of its own: no worker of another test may take the build.
      const queue = { WHARF_TEMPORAL_TASK_QUEUE: `detached-${signal}-${process.pid}` };
      // The command waits after its second tick until the gate exists: the worker is
      // surely stopped mid-command, however slow the machine.
      const { counter, gate, inputs } = gatedTicks();
      const run = start(['run', TICKS, '--detach', '--no-source', '--heartbeat', '5', ...inputs], queue);
      assert.equal(await run.exit, 0, run.out());
      const buildId = /build (\S+) started/.exec(run.out())?.[1] ?? assert.fail(run.out());
      assert.match(run.out(), new RegExp(`follow it with: wharf-temporal logs ${buildId} --follow`));

      const follow = start(['logs', buildId, '--follow'], queue);
      // A short grace: SIGTERM hands the running command over instead of waiting for it.
      const first = start(['worker', '--shutdown-grace', '1'], queue);
      await until('the second tick', () => follow.out().includes('tick 2'));
      const status = start(['status', buildId], queue);
      assert.equal(await status.exit, 0, status.out());
      assert.match(
        status.out(),
        /^ {6}running +ticks \[container\] \((\d+\.\d)s, running\)$/m,
        `a running step shows its live time and phase:\n${status.out()}`,
      );
      first.child.kill(signal);
      const firstExit = await first.exit;
      if (signal === 'SIGTERM') {
        assert.equal(firstExit, 0, first.out());
        assert.match(first.out(), /^worker: stopped$/m);
      }
      start(['worker'], queue);
      writeFileSync(gate, '');

      assert.equal(await follow.exit, 0, follow.out());
      const ticks = follow
        .out()
        .split('\n')
        .filter((l) => /^\[build\/ticks\] tick \d$/.test(l));
      assert.deepEqual(
        ticks,
        [1, 2, 3, 4, 5, 6].map((i) => `[build/ticks] tick ${i}`),
      );
      assert.match(follow.out(), new RegExp(`^build ${buildId}: success$`, 'm'));
      assert.equal(readFileSync(counter, 'utf8'), 'run\n', 'the command ran once');
      assert.deepEqual(await buildPods(lab, buildId), []);
    });
  }

  it('says when no worker polls the task queue, and the build runs once one does', async () => {
    const idle = { WHARF_TEMPORAL_TASK_QUEUE: `idle-${process.pid}` };
    const counter = join(mkdtempSync(join(tmpdir(), 'count-')), 'runs');
    const run = start(['run', TICKS, '--detach', '--no-source', '--input', `counter=${counter}`], idle);
    assert.equal(await run.exit, 0, run.out());
    assert.match(run.out(), /no worker polls task queue idle-\d+: the build waits until one starts/);
    const buildId = /build (\S+) started/.exec(run.out())?.[1] ?? assert.fail(run.out());
    start(['worker'], idle);
    const follow = start(['logs', buildId, '--follow'], idle);
    assert.equal(await follow.exit, 0, follow.out());
    assert.equal(readFileSync(counter, 'utf8'), 'run\n');
  });

  it('fails on a build that does not exist, without waiting', async () => {
    const follow = start(['logs', `no-such-build-${process.pid}`, '--follow']);
    assert.equal(await follow.exit, 1);
    assert.match(follow.out(), /no such build/);
  });
});
