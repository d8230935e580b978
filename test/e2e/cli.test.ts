// The command line as a user runs it, against the lab: run (the demo, passing and
// failing), logs, status and list, and the start-up sweep of orphan pods.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LABELS, MANAGED_BY } from '../../src/pod/labels.ts';
import { buildPods, connectLab, type Lab } from '../support/lab.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin/wharf-temporal.js');
const DEMO = join(ROOT, 'examples/.wharf-ci.yml');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('command line on the lab', function () {
  this.timeout(180_000);
  let lab: Lab;
  let env: Record<string, string>;

  before(() => {
    lab = connectLab();
    // The lab by default (no TEMPORAL_ADDRESS), with a task queue and log folder of this test's own.
    env = {
      WHARF_TEMPORAL_TASK_QUEUE: `cli-${process.pid}`,
      WHARF_TEMPORAL_LOG_DIR: mkdtempSync(join(tmpdir(), 'cli-logs-')),
      WHARF_TEMPORAL_DEPLOYMENT: `cli-${process.pid}`,
      NO_COLOR: '1',
    };
  });

  function cli(args: string[]): Promise<CliRun> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: ROOT,
        env: { ...process.env, TEMPORAL_ADDRESS: '', ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  const buildIdOf = (out: string): string =>
    /build (\S+) started/.exec(out)?.[1] ?? assert.fail(`no build id in: ${out}`);

  let passedBuild = '';

  it('runs the demo: live prefixed log lines, a summary, a Web UI link, exit code 0', async () => {
    const r = await cli(['run', DEMO, '--env', 'lab']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    passedBuild = buildIdOf(r.stdout);
    assert.match(r.stdout, /http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\//);
    assert.match(r.stdout, /^\[build\/compile\] compiled 29 bytes$/m);
    assert.match(r.stdout, /^\[deploy\/ship\] deploying 1 replica\(s\) to the local lab$/m);
    assert.match(r.stdout, /^success +build \S+ in /m);
    assert.match(r.stdout, /^ {2}skipped +report$/m);
    // Without the lab's worker settings, on the simulated nodes: each step says which.
    for (const step of ['build/compile', 'build/lint', 'test/unit', 'test/smoke', 'deploy/ship', 'cleanup/tidy'])
      assert.match(r.stdout, new RegExp(`^\\[${step}\\] wharf-temporal: pod \\S+ ready on lab-node-\\d+$`, 'm'), step);
    assert.deepEqual(await buildPods(lab, passedBuild), []);
  });

  it('fails the demo on request: exit code 1, the runs-if: fail stage runs, deploy is skipped', async () => {
    const r = await cli(['run', DEMO, '--env', 'lab', '--input', 'simulateFailure=yes']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^\[test\/unit\] simulated failure$/m);
    assert.match(r.stdout, /^\[report\/notify\] the build failed; someone should look at it$/m);
    assert.match(r.stdout, /^ {2}skipped +deploy$/m);
    assert.match(r.stdout, /build failed: test\/unit: command exited with code 1/);
  });

  it("prints a finished build's logs, status and place in the list", async () => {
    const logs = await cli(['logs', passedBuild, '--step', 'compile']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(
      logs.stdout,
      /^\[build\/compile\] wharf-temporal: pod wharf-\S+-build-compile-[0-9a-f]{8} ready on lab-node-\d\n\[build\/compile\] wharf-temporal: sent 2 file\(s\) to \/mnt\/repo\n\[build\/compile\] Hello from wharf-temporal \([^)\n]+\)\n\[build\/compile\] compiled 29 bytes\n$/,
    );
    const status = await cli(['status', passedBuild, '--json']);
    assert.equal(status.code, 0, status.stderr);
    const outcome = JSON.parse(status.stdout) as {
      result: { status: string; stages: { name: string; status: string }[] };
    };
    assert.equal(outcome.result.status, 'success');
    assert.deepEqual(
      outcome.result.stages.map((s) => s.status),
      ['success', 'success', 'success', 'skipped', 'success'],
    );
    const list = await cli(['list', '--json', '--limit', '50']);
    const rows = JSON.parse(list.stdout) as { id: string; status: string; environment: string }[];
    assert.deepEqual(
      rows.find((row) => row.id === passedBuild),
      { ...rows.find((row) => row.id === passedBuild), status: 'success', environment: 'lab' },
    );
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    it(`cancels the build on ${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM (a cancelled CI job)'}: the step stops, its pod is deleted, exit code 130`, async () => {
      const child = spawn(
        process.execPath,
        [CLI, 'run', join(ROOT, 'test/e2e/fixtures/ticks.wharf-ci.yml'), '--no-source', '--input', 'counter=/dev/null'],
        {
          cwd: ROOT,
          env: { ...process.env, TEMPORAL_ADDRESS: '', ...env },
        },
      );
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
      for (let i = 0; i < 600 && !out.includes('tick 1'); i++) await new Promise((r) => setTimeout(r, 50));
      child.kill(signal);
      assert.equal(await exit, 130, out);
      assert.match(out, /cancelling the build \(Ctrl-C again to leave it running\)/);
      assert.match(out, /^cancelled +build \S+/m);
      assert.match(out, /^ {6}cancelled +ticks \[container\]/m);
      assert.ok(!out.includes('tick 6'), 'the command was stopped');
      assert.deepEqual(await buildPods(lab, buildIdOf(out)), []);
    });

  it('fails a step whose command outruns --timeout, and deletes its pod', async () => {
    const r = await cli([
      'run',
      join(ROOT, 'test/e2e/fixtures/ticks.wharf-ci.yml'),
      '--no-source',
      '--input',
      'counter=/dev/null',
      '--timeout',
      '2',
    ]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^ {6}failed +ticks \[container\] \(\d+\.\ds\): the command ran longer than its budget of 2 s$/m,
    );
    assert.ok(!r.stdout.includes('tick 6'));
    assert.deepEqual(await buildPods(lab, buildIdOf(r.stdout)), []);
  });

  it('gives password inputs to the steps through a Secret: masked in logs, never in history', async () => {
    const r = await cli([
      'run',
      join(ROOT, 'test/e2e/fixtures/password.wharf-ci.yml'),
      '--input',
      'token=hunter2-but-longer',
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^\[build\/use-token\] the token is \*\*\*$/m);
    assert.match(r.stdout, /^\[build\/use-token\] token has the right length$/m);
    assert.ok(!r.stdout.includes('hunter2'));
    const id = buildIdOf(r.stdout);
    const history = execFileSync(
      lab.status.TEMPORAL_CLI!,
      ['workflow', 'show', '--address', lab.status.TEMPORAL_ADDRESS!, '-w', `${id}.build.use-token`, '-o', 'json'],
      { encoding: 'utf8' },
    );
    const build = execFileSync(
      lab.status.TEMPORAL_CLI!,
      ['workflow', 'show', '--address', lab.status.TEMPORAL_ADDRESS!, '-w', id, '-o', 'json'],
      { encoding: 'utf8' },
    );
    for (const text of [history, build]) {
      assert.ok(
        !Buffer.from(text).toString().includes('hunter2') &&
          !text.includes(Buffer.from('hunter2').toString('base64').slice(0, 8)),
        'the password is not in the history',
      );
    }
    const left = await lab.core.listNamespacedSecret({
      namespace: lab.namespace,
      labelSelector: 'app.kubernetes.io/managed-by=wharf-temporal',
    });
    assert.ok(!left.items.some((s) => s.metadata?.name?.includes(id)), 'the Secret is deleted after the build');
  });

  it('reports a bad definition with positions and exit code 1, and a bad call with exit code 2', async () => {
    const bad = await cli(['validate', join(ROOT, 'test/e2e/fixtures/broken.wharf-ci.yml')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /broken\.wharf-ci\.yml:3:5 build\/compile\/container\/image: missing required field/);
    assert.ok(!/\n\s+at /.test(bad.stderr), 'no stack trace');
    const usage = await cli(['run', '--no-such-flag']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Unknown option '--no-such-flag'/);
  });

  it("deletes, when a worker starts, labelled pods of its own deployment whose build is over, and no other deployment's", async () => {
    const orphan = `wharf-orphan-${process.pid}`;
    const foreign = `wharf-foreign-${process.pid}`;
    const pod = (name: string, deployment: string) =>
      lab.core.createNamespacedPod({
        namespace: lab.namespace,
        body: {
          metadata: {
            name,
            labels: {
              [LABELS.managedBy]: MANAGED_BY,
              [LABELS.buildId]: `gone-${process.pid}`,
              [LABELS.deployment]: deployment,
            },
          },
          spec: { containers: [{ name: 'c', image: 'alpine:3', command: ['sleep', '600'] }] },
        },
      });
    await pod(orphan, env.WHARF_TEMPORAL_DEPLOYMENT!);
    // Another deployment's pod in the same Kubernetes namespace: its build is not ours to judge.
    await pod(foreign, `other-${process.pid}`);
    const worker = spawn(process.execPath, [CLI, 'worker'], {
      cwd: ROOT,
      env: { ...process.env, TEMPORAL_ADDRESS: '', ...env },
    });
    let out = '';
    worker.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      for (let i = 0; i < 600 && !out.includes('polling task queue'); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(out, new RegExp(`deleted orphan pods: .*${orphan}`));
      assert.ok(!out.includes(foreign), out);
      const left = await lab.core.listNamespacedPod({
        namespace: lab.namespace,
        fieldSelector: `metadata.name=${orphan}`,
      });
      assert.ok(
        left.items.every((p) => p.metadata?.deletionTimestamp),
        'the orphan is gone or going',
      );
      const other = await lab.core.readNamespacedPod({ namespace: lab.namespace, name: foreign });
      assert.ok(!other.metadata?.deletionTimestamp, "the other deployment's pod is left alone");
    } finally {
      worker.kill('SIGTERM');
      await lab.core
        .deleteNamespacedPod({ namespace: lab.namespace, name: foreign, gracePeriodSeconds: 0 })
        .catch(() => {});
    }
  });

  it('answers logs, list and status from the build store after Temporal has forgotten the build', async () => {
    assert.ok(passedBuild, 'the demo ran');
    execFileSync(
      lab.status.TEMPORAL_CLI!,
      ['workflow', 'delete', '--address', lab.status.TEMPORAL_ADDRESS!, '-w', passedBuild],
      { input: 'y\n', stdio: ['pipe', 'ignore', 'ignore'] },
    );
    const address = lab.status.TEMPORAL_ADDRESS!;
    for (let i = 0; i < 100; i++) {
      const gone = spawnSync(
        lab.status.TEMPORAL_CLI!,
        ['workflow', 'describe', '--address', address, '-w', passedBuild],
        { encoding: 'utf8' },
      );
      if (gone.status !== 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const logs = await cli(['logs', passedBuild]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /^\[build\/compile\] compiled 29 bytes$/m);
    const follow = await cli(['logs', passedBuild, '--follow']);
    assert.equal(follow.code, 0, follow.stderr);
    assert.match(follow.stdout, /^build \S+: success$/m);
    const list = await cli(['list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const row = (JSON.parse(list.stdout) as { id: string; status: string; environment: string }[]).find(
      (r) => r.id === passedBuild,
    );
    assert.deepEqual(row && [row.status, row.environment], ['success', 'lab']);
    const status = await cli(['status', passedBuild]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^success +build \S+ in /m);
  });
});
