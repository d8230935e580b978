// The detached-command script run by a real /bin/sh on this machine (the same script
// runs in step containers): starts once, re-attaches, resumes from offsets.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followCommandLine } from '../../../src/command/detached-command.ts';
import { FollowFrameParser, type FollowFrame } from '../../../src/command/follow-frames.ts';

function follow(stateDir: string, command: string[], offsets = { out: 0, err: 0 }) {
  const [shell, ...args] = followCommandLine({ stateDir, offsets, sessionSeconds: 30, command });
  const run = spawnSync(shell!, args, { timeout: 20_000 });
  assert.equal(run.status, 0, `follower failed: ${run.stderr}`);
  const frames = new FollowFrameParser().push(run.stdout);
  const collect = (kind: 'out' | 'err') =>
    Buffer.concat(frames.flatMap((f: FollowFrame) => (f.kind === kind ? [f.data] : []))).toString('utf8');
  return { frames, out: collect('out'), err: collect('err'), exit: frames.find((f) => f.kind === 'exit') };
}

describe('detached command', () => {
  it('runs the command once, separating stdout, stderr and the exit code', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'wt-')), 'cmd');
    const r = follow(dir, ['/bin/sh', '-c', 'echo out1; echo err1 >&2; printf partial; exit 7']);
    assert.deepEqual(r.frames[0], { kind: 'started', fresh: true });
    assert.equal(r.out, 'out1\npartial');
    assert.equal(r.err, 'err1\n');
    assert.deepEqual(r.exit, { kind: 'exit', code: 7 });
  });

  it('re-attaches instead of starting the command again, resuming at the given offsets', () => {
    const root = mkdtempSync(join(tmpdir(), 'wt-'));
    const dir = join(root, 'cmd');
    const counter = join(root, 'runs');
    const command = ['/bin/sh', '-c', `echo run >> ${counter}; echo one; echo two; echo bad >&2`];
    const first = follow(dir, command);
    assert.equal(first.out, 'one\ntwo\n');
    const again = follow(dir, command, { out: 4, err: 0 });
    assert.deepEqual(again.frames[0], { kind: 'started', fresh: false });
    assert.equal(again.out, 'two\n');
    assert.equal(again.err, 'bad\n');
    assert.deepEqual(again.exit, { kind: 'exit', code: 0 });
    assert.equal(readFileSync(counter, 'utf8'), 'run\n', 'the command ran exactly once');
  });

  it('passes arguments through untouched and keeps the shell state of one script', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'wt-')), 'cmd');
    const r = follow(dir, ['/bin/sh', '-c', 'cd /tmp && X=1 && echo "$(pwd) $X $1"', 'sh', 'a b "c"']);
    assert.equal(r.out, '/tmp 1 a b "c"\n');
  });
});

describe('follow frame parser', () => {
  it('reassembles frames split at any byte', () => {
    const wire = Buffer.from('s new\no 5\nab\ncde 3\nxyzk\nx 0\n');
    const whole = new FollowFrameParser().push(wire);
    for (let cut = 1; cut < wire.length; cut++) {
      const p = new FollowFrameParser();
      const frames = [...p.push(wire.subarray(0, cut)), ...p.push(wire.subarray(cut))];
      const text = (kind: string) =>
        Buffer.concat(frames.flatMap((f) => (f.kind === kind && 'data' in f ? [f.data] : []))).toString();
      assert.equal(text('out'), 'ab\ncd', `cut at ${cut}`);
      assert.equal(text('err'), 'xyz', `cut at ${cut}`);
      assert.deepEqual(frames.at(-1), { kind: 'exit', code: 0 });
    }
    assert.equal(whole.length, 5);
  });

  it('rejects output that is not the protocol', () => {
    assert.throws(
      () => new FollowFrameParser().push(Buffer.from('hello\n')),
      /unexpected output from the command follower/,
    );
  });
});
