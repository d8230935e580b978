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
import { Watch, type V1Pod } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import { awaitBuildOutcome } from '../../src/client/build-outcome.ts';
import { readAllRecords } from '../../src/client/log-follower.ts';
import { startBuild } from '../../src/client/start-build.ts';
import { resolveWorkerSettings } from '../../src/config/worker-settings.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { resolveDeployment } from '../../src/worker/deployment.ts';
import { makePlan } from '../../src/plan/make-plan.ts';
import type { RuntimeConfig } from '../../src/config/runtime-config.ts';
import { connectClient } from '../../src/client/temporal-client.ts';
import { createBuildWorker } from '../../src/worker/build-worker.ts';
import type { BuildWorkflowInput, SourceSpec } from '../../workflows/types.ts';
import { connectLab, type Lab } from '../support/lab.ts';

let seq = 0;

/** The lab's real node, or an error saying what is missing (never a skip). */
export function realNode(lab: Lab): {
  node: string;
  settingsFile: string;
  images: Record<string, string>;
  gateway: string;
} {
  const s = lab.status;
  if (!s.REAL_NODE || !s.LAB_WORKER_SETTINGS) {
    throw new Error(
      `the lab has no real node: ${s.REAL_NODE_MISSING ?? 'unknown reason'} (see \`bash tools/lab/node.sh status\`, logs in .lab/node/logs)`,
    );
  }
  const images = Object.fromEntries(
    Object.entries(s)
      .filter(([k]) => k.startsWith('LAB_IMAGE_'))
      .map(([k, v]) => [k.slice('LAB_IMAGE_'.length), v]),
  );
  return { node: s.REAL_NODE, settingsFile: s.LAB_WORKER_SETTINGS, images, gateway: s.REAL_NODE_GATEWAY ?? '' };
}

describe('builds on the real node', function () {
  this.timeout(300_000);
  let lab: Lab;
  let real: ReturnType<typeof realNode>;
  let config: RuntimeConfig;
  let client: Client;
  let stop: () => Promise<void> = async () => {};

  before(async () => {
    lab = connectLab();
    real = realNode(lab);
    config = lab.config('real-node');
    const worker = await createBuildWorker({
      config,
      store: new FileStore(config.logRoot),
      deployment: resolveDeployment(config, undefined),
      maxConcurrentSteps: 10,
      shutdownGraceSeconds: 1,
      podSettings: resolveWorkerSettings({ config: real.settingsFile }, {}),
    });
    const running = worker.worker.run();
    const connected = await connectClient(config);
    client = connected.client;
    stop = async () => {
      worker.worker.shutdown();
      await running;
      await worker.close();
      await connected.close();
    };
  });

  after(async () => stop());

  function planOf(buildId: string, text: string, source: SourceSpec): BuildWorkflowInput {
    const dir = mkdtempSync(join(tmpdir(), 'real-node-'));
    writeFileSync(join(dir, '.wharf-ci.yml'), text);
    const made = makePlan({ file: '.wharf-ci.yml', cwd: dir, env: null, inputs: {}, buildId, environ: {} });
    if ('errors' in made) throw new Error(JSON.stringify(made.errors));
    return {
      buildId,
      plan: made.plan,
      source,
      onlyStages: [],
      timeouts: { pendingSeconds: 180, runSeconds: 240, heartbeatSeconds: 10 },
    };
  }

  /** Runs a build; returns its outcome and the node each step's pod ran on. */
  async function run(build: BuildWorkflowInput) {
    const nodes = new Map<string, string>();
    const pods = new Set<string>();
    const abort = await new Watch(lab.kc).watch(
      `/api/v1/namespaces/${lab.namespace}/pods`,
      { labelSelector: `wharf-temporal/build-id=${build.buildId}` },
      (_type: string, pod: V1Pod) => {
        const step = pod.metadata?.annotations?.['wharf-temporal/step'];
        if (pod.metadata?.uid) pods.add(pod.metadata.uid);
        if (step && pod.spec?.nodeName) nodes.set(step, pod.spec.nodeName);
      },
      () => {},
    );
    try {
      await startBuild(client, config.taskQueue, build, { repository: 'real-node', branch: 'main' });
      const outcome = await awaitBuildOutcome(client, build.buildId);
      const left = await lab.core.listNamespacedPod({
        namespace: lab.namespace,
        labelSelector: `wharf-temporal/build-id=${build.buildId}`,
      });
      return { outcome, nodes, podCount: pods.size, left: left.items.length };
    } finally {
      abort.abort();
    }
  }

  async function logsOf(buildId: string, step: string): Promise<string[]> {
    return (await readAllRecords(new FileStore(config.logRoot), buildId))
      .filter((r) => r.step.step === step && r.record.s !== 'sys')
      .map((r) => r.record.l);
  }

  const stepsOf = (outcome: Awaited<ReturnType<typeof run>>['outcome']) =>
    Object.fromEntries((outcome.result?.stages ?? []).flatMap((s) => s.steps.map((st) => [st.name, st])));

  it('runs stages of parallel container steps in real containers: busybox, Debian with git, a non-root user, source, fail-fast and runs-if', async () => {
    const src = mkdtempSync(join(tmpdir(), 'src-'));
    writeFileSync(join(src, 'hello.txt'), 'hello from the source tree\n');
    const id = `real-ok-${process.pid}-${seq++}`;
    const text = `
build:
  on-busybox:
    container:
      image: ${real.images.BUSYBOX}
      cmds: [cat hello.txt, "grep -o 'kubepods[^:]*' /proc/self/cgroup | head -n 1", "test -f /.dockerenv || echo in a container"]
  on-debian:
    container:
      image: ${real.images.DEBIAN_GIT}
      cmds: [git --version, tar --version | head -n 1, cat /etc/debian_version]
  as-user:
    container:
      image: ${real.images.BUSYBOX_NONROOT}
      cmds: [id -u, "echo written > mine.txt && cat mine.txt"]
fails:
  broken:
    container:
      image: ${real.images.BUSYBOX}
      cmds: [echo about to fail, exit 3]
after-success:
  never:
    container:
      image: ${real.images.BUSYBOX}
      cmds: [echo must not run]
on-failure:
  runs-if: fail
  cleanup:
    container:
      image: ${real.images.BUSYBOX}
      cmds: [echo cleaning up after the failure]
`;
    const { outcome, nodes, podCount, left } = await run(planOf(id, text, { kind: 'local', path: src }));
    const steps = stepsOf(outcome);
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
    for (const [step, node] of nodes) assert.equal(node, real.node, `${step} ran on ${node}`);
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
        `--listen=${real.gateway}`,
        `--port=${port}`,
        repo,
      ],
      { stdio: 'ignore' },
    );
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const id = `real-git-${process.pid}-${seq++}`;
      const text = `build:\n  read:\n    container:\n      image: ${real.images.DEBIAN_GIT}\n      cmds: [cat README, git log --format=%s -n 1]\n`;
      const { outcome } = await run(
        planOf(id, text, { kind: 'git', url: `git://${real.gateway}:${port}/app`, ref: 'main' }),
      );
      assert.equal(outcome.result?.status, 'success', JSON.stringify(outcome.result?.stages));
      assert.deepEqual(await logsOf(id, 'read'), ['cloned over the pod network', 'first']);
    } finally {
      daemon.kill();
    }
  });

  it('fails a step whose image has no shell with an error saying what it lacks', async () => {
    const id = `real-noshell-${process.pid}-${seq++}`;
    const text = `build:\n  bare:\n    container:\n      image: ${real.images.NO_SHELL}\n      cmds: [echo hi]\n`;
    const { outcome, left } = await run(planOf(id, text, { kind: 'none' }));
    const step = stepsOf(outcome).bare!;
    assert.equal(step.status, 'failed');
    assert.match(step.error ?? '', /"\/bin\/sh": stat \/bin\/sh: no such file or directory/);
    assert.equal(left, 0);
  });
});
