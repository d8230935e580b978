// Whole builds on the lab's real node: a kubelet and containerd running every step in a
// runc container, from images pulled from the lab registry. The plan is made from a
// .wharf-ci.yml as the CLI makes it; the worker lays the lab's settings over it (the
// real node's selector and toleration, the lab's images). Without the real node these
// tests fail, saying what is missing.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildWorkflowInput } from '../../workflows/types.ts';
import { planOf, realNodeSuite } from '../support/real-node.ts';

let seq = 0;

describe('builds on the real node', function () {
  this.timeout(300_000);
  const suite = realNodeSuite('real-node');
  const run = (build: BuildWorkflowInput) => suite.run(build);
  const logsOf = (buildId: string, step: string) => suite.logsOf(buildId, step);

  it('runs stages of parallel container steps in real containers: busybox, Debian with git, a non-root user, source, fail-fast and runs-if', async () => {
    const src = mkdtempSync(join(tmpdir(), 'src-'));
    writeFileSync(join(src, 'hello.txt'), 'hello from the source tree\n');
    const id = `real-ok-${process.pid}-${seq++}`;
    const text = `
build:
  on-busybox:
    container:
      image: ${suite.real.images.BUSYBOX}
      cmds: [cat hello.txt, "grep -o 'kubepods[^:]*' /proc/self/cgroup | head -n 1", "test -f /.dockerenv || echo in a container"]
  on-debian:
    container:
      image: ${suite.real.images.DEBIAN_GIT}
      cmds: [git --version, tar --version | head -n 1, cat /etc/debian_version]
  as-user:
    container:
      image: ${suite.real.images.BUSYBOX_NONROOT}
      cmds: [id -u, "echo written > mine.txt && cat mine.txt"]
fails:
  broken:
    container:
      image: ${suite.real.images.BUSYBOX}
      cmds: [echo about to fail, exit 3]
after-success:
  never:
    container:
      image: ${suite.real.images.BUSYBOX}
      cmds: [echo must not run]
on-failure:
  runs-if: fail
  cleanup:
    container:
      image: ${suite.real.images.BUSYBOX}
      cmds: [echo cleaning up after the failure]
`;
    const { outcome, steps, nodes, podCount, left } = await run(planOf(id, text, { kind: 'local', path: src }));
    assert.equal(outcome.result?.status, 'failed');
    assert.equal(steps['on-busybox']!.status, 'success', steps['on-busybox']!.error ?? '');
    assert.deepEqual((await logsOf(id, 'on-busybox')).slice(0, 1), ['hello from the source tree']);
    assert.match((await logsOf(id, 'on-busybox'))[1] ?? '', /kubepods/, 'the step ran in a cgroup of the kubelet');
    assert.match((await logsOf(id, 'on-debian'))[0] ?? '', /^git version 2\./);
    assert.match((await logsOf(id, 'on-debian'))[1] ?? '', /^tar \(GNU tar\)/);
    assert.deepEqual(await logsOf(id, 'as-user'), ['1000', 'written']);
    assert.equal(steps.broken!.exitCode, 3);
    assert.equal(steps.never!.status, 'skipped', 'a stage after a failed one does not run');
    assert.deepEqual(await logsOf(id, 'never'), []);
    assert.equal(steps.cleanup!.status, 'success');
    assert.deepEqual(await logsOf(id, 'cleanup'), ['cleaning up after the failure']);
    for (const [step, node] of nodes) assert.equal(node, suite.real.node, `${step} ran on ${node}`);
    assert.equal(nodes.size, 5);
    assert.equal(podCount, 5, 'one pod per step (none for the skipped stage)');
    assert.equal(left, 0, 'no pod left');
  });

  it('clones a --git source inside the pod from a git server on the lab', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'git-repo-'));
    const git = (args: string[], cwd = repo) =>
      new Promise<void>((resolve, reject) => {
        const c = spawn('git', args, { cwd, stdio: 'ignore' });
        c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git ${args.join(' ')}: exit ${code}`))));
      });
    await git(['init', '-q', '-b', 'main', 'app']);
    writeFileSync(join(repo, 'app', 'README'), 'cloned over the pod network\n');
    await git(['-c', 'user.name=lab', '-c', 'user.email=lab@lab', 'add', '.'], join(repo, 'app'));
    await git(['-c', 'user.name=lab', '-c', 'user.email=lab@lab', 'commit', '-q', '-m', 'first'], join(repo, 'app'));
    const port = 16501 + Number(process.env.LAB_PORT_OFFSET ?? 0);
    const daemon: ChildProcess = spawn(
      'git',
      [
        'daemon',
        '--reuseaddr',
        '--export-all',
        `--base-path=${repo}`,
        `--listen=${suite.real.gateway}`,
        `--port=${port}`,
        repo,
      ],
      { stdio: 'ignore' },
    );
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const id = `real-git-${process.pid}-${seq++}`;
      const text = `build:\n  read:\n    container:\n      image: ${suite.real.images.DEBIAN_GIT}\n      cmds: [cat README, git log --format=%s -n 1]\n`;
      const { outcome } = await run(
        planOf(id, text, { kind: 'git', url: `git://${suite.real.gateway}:${port}/app`, ref: 'main' }),
      );
      assert.equal(outcome.result?.status, 'success', JSON.stringify(outcome.result?.stages));
      assert.deepEqual(await logsOf(id, 'read'), ['cloned over the pod network', 'first']);
    } finally {
      daemon.kill();
    }
  });

  it('fails a step whose image has no shell with an error saying what it lacks', async () => {
    const id = `real-noshell-${process.pid}-${seq++}`;
    const text = `build:\n  bare:\n    container:\n      image: ${suite.real.images.NO_SHELL}\n      cmds: [echo hi]\n`;
    const { steps, left } = await run(planOf(id, text, { kind: 'none' }));
    const step = steps.bare!;
    assert.equal(step.status, 'failed');
    assert.ok(
      (step.error ?? '').startsWith(
        `the image ${suite.real.images.NO_SHELL} has no /bin/sh, which the step runs as its shell: `,
      ),
      step.error ?? '',
    );
    assert.match(step.error ?? '', /"\/bin\/sh": stat \/bin\/sh: no such file or directory/);
    assert.equal(left, 0);
  });
});
