// Whole builds on the real lab: Temporal server, Kubernetes API server, scheduler and
// simulated nodes, with an in-process worker. Asserts on results, log lines and pods.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { awaitBuildOutcome } from '../../src/client/build-outcome.ts';
import { startBuild } from '../../src/client/start-build.ts';
import type { LabConfig } from '../support/lab.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { readAllRecords } from '../../src/client/log-follower.ts';
import type { BuildWorkflowInput, SourceSpec } from '../../workflows/types.ts';
import { startInProcessWorker, type InProcessWorker } from '../support/in-process-worker.ts';
import { buildPods, connectLab, type Lab } from '../support/lab.ts';
import { labStep } from '../support/lab-plans.ts';
import { PodCensus } from '../support/pod-census.ts';
import type { StagePlan } from '../../src/plan/build-plan.ts';
import { labBuild, stage } from '../support/plans.ts';

const CLI = fileURLToPath(new URL('../../bin/wharf-temporal.js', import.meta.url));
let seq = 0;

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('builds on the lab', function () {
  this.timeout(180_000);
  let lab: Lab;
  let config: LabConfig;
  let client: Client;
  let worker: InProcessWorker;

  before(async () => {
    lab = connectLab();
    worker = await startInProcessWorker(lab, 'e2e', 20);
    ({ config, client } = worker);
  });

  after(async () => worker?.stop());

  const newId = (name: string): string => `e2e-${name}-${process.pid}-${seq++}`;

  const input = (buildId: string, stages: StagePlan[], source?: SourceSpec): BuildWorkflowInput =>
    labBuild(buildId, stages, source);

  async function logsOf(buildId: string, step: string, stream?: 'out' | 'err'): Promise<string[]> {
    return (await readAllRecords(new FileStore(config.logRoot), buildId))
      .filter((r) => r.step.step === step && r.record.s !== 'sys' && (!stream || r.record.s === stream))
      .map((r) => r.record.l);
  }

  async function run(build: BuildWorkflowInput) {
    const census = await PodCensus.start(lab, build.buildId);
    try {
      await startBuild(client, config.taskQueue, build, { repository: 'e2e', branch: 'main' });
      const outcome = await awaitBuildOutcome(client, build.buildId);
      return { outcome, census };
    } finally {
      census.stop();
    }
  }

  it('runs a multi-stage build with parallel steps, the source in place, logs streamed and pods deleted', async () => {
    const src = mkdtempSync(join(tmpdir(), 'src-'));
    writeFileSync(join(src, 'hello.txt'), 'hello from the source tree\n');
    const id = newId('ok');
    const { outcome, census } = await run(
      input(
        id,
        [
          stage('build', [
            labStep(id, 'build', 'compile', 'cat hello.txt; echo compiled > out.txt; echo compile-done'),
            labStep(id, 'build', 'lint', 'echo lint-out; echo lint-warning >&2; pwd'),
          ]),
          stage('test', [labStep(id, 'test', 'unit', 'test -f hello.txt && ! test -f out.txt && echo isolated')]),
        ],
        { kind: 'local', path: src },
      ),
    );
    assert.equal(outcome.result?.status, 'success', outcome.error ?? '');
    assert.deepEqual(await logsOf(id, 'compile'), ['hello from the source tree', 'compile-done']);
    // stdout and stderr are separate streams: their relative order is not kept.
    assert.deepEqual(await logsOf(id, 'lint', 'out'), ['lint-out', '/mnt/repo']);
    assert.deepEqual(await logsOf(id, 'lint', 'err'), ['lint-warning']);
    assert.deepEqual(await logsOf(id, 'unit'), ['isolated'], 'each pod has its own workspace');
    const remarks = (await readAllRecords(new FileStore(config.logRoot), id))
      .filter((r) => r.step.step === 'compile' && r.record.s === 'sys')
      .map((r) => r.record.l);
    assert.match(remarks.join('\n'), /^pod \S+ ready on lab-node-\d\nsent 1 file\(s\) to \/mnt\/repo$/);
    assert.deepEqual(Object.values(census.counts()), [1, 1, 1], 'one pod per step');
    assert.deepEqual(await buildPods(lab, id), [], 'no pod left behind');
  });

  it('fails fast: cancels the sibling, skips success stages, runs fail/always stages, deletes every pod', async () => {
    const id = newId('fail');
    const started = Date.now();
    const { outcome } = await run(
      input(id, [
        stage('build', [
          labStep(id, 'build', 'broken', 'echo about to fail; exit 3'),
          labStep(id, 'build', 'slow', 'echo slow-start; sleep 60; echo never'),
        ]),
        stage('deploy', [labStep(id, 'deploy', 'ship', 'echo shipped')]),
        stage('notify', [labStep(id, 'notify', 'alert', 'echo alerted')], { runsIf: 'fail' }),
        stage('tidy', [labStep(id, 'tidy', 'clean', 'echo cleaned')], { runsIf: 'always' }),
      ]),
    );
    assert.equal(outcome.result?.status, 'failed');
    assert.match(outcome.error ?? '', /build\/broken: command exited with code 3/);
    assert.deepEqual(
      outcome.result?.stages.map((s) => s.status),
      ['failed', 'skipped', 'success', 'success'],
    );
    assert.deepEqual(
      outcome.result?.stages[0]?.steps.map((s) => s.status),
      ['failed', 'cancelled'],
    );
    assert.deepEqual(await logsOf(id, 'alert'), ['alerted']);
    assert.ok(!(await logsOf(id, 'slow')).includes('never'));
    assert.ok(Date.now() - started < 50_000, 'the sibling was cancelled, not waited for');
    assert.deepEqual(await buildPods(lab, id), []);
  });

  it('fails an unpullable image within 30 s, naming the container and the reason', async () => {
    const id = newId('pull');
    const started = Date.now();
    const { outcome } = await run(
      input(id, [stage('build', [labStep(id, 'build', 'pull', 'echo never', 'lab.invalid/does-not-exist:1')])]),
    );
    assert.equal(outcome.result?.status, 'failed');
    assert.match(outcome.error ?? '', /container step: (ErrImagePull|ImagePullBackOff)/);
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    assert.deepEqual(await buildPods(lab, id), []);
  });

  it("fails a pod nothing can schedule once its pending budget is spent, with the scheduler's reason", async () => {
    const id = newId('unschedulable');
    const step = labStep(id, 'build', 'nowhere', 'echo never');
    step.pod.spec!.nodeSelector = { 'lab/no-such-node': 'true' };
    const build = input(id, [stage('build', [step])]);
    build.timeouts.pendingSeconds = 3;
    const { outcome } = await run(build);
    assert.equal(outcome.result?.status, 'failed');
    assert.match(outcome.error ?? '', /not ready after 3s: Unschedulable: 0\/\d+ nodes are available/);
    assert.deepEqual(await buildPods(lab, id), []);
  });

  it('gives a step with file filters only its files, variables substituted (helm, kubectl)', async () => {
    const src = mkdtempSync(join(tmpdir(), 'src-'));
    writeFileSync(join(src, 'manifest.yaml'), 'image: app:${TAG}\nliteral: ${%TAG%}\nunknown: ${NOPE}\n');
    writeFileSync(join(src, 'other.txt'), 'not sent\n');
    const id = newId('filter');
    const step = labStep(id, 'deploy', 'apply', 'ls; cat manifest.yaml');
    step.source = { ...step.source!, onlyFiles: ['manifest.yaml'], variables: { TAG: '1.2.3' } };
    const missing = labStep(id, 'deploy', 'missing', 'true');
    missing.source = { ...missing.source!, onlyFiles: ['nope.yaml'], variables: {} };
    const ok = await run(input(id, [stage('deploy', [step])], { kind: 'local', path: src }));
    assert.equal(ok.outcome.result?.status, 'success', ok.outcome.error ?? '');
    assert.deepEqual(await logsOf(id, 'apply'), [
      'manifest.yaml',
      'image: app:1.2.3',
      'literal: ${TAG}',
      'unknown: ${NOPE}',
    ]);
    const bad = await run(input(`${id}-m`, [stage('deploy', [missing])], { kind: 'local', path: src }));
    assert.match(bad.outcome.error ?? '', /the step's files are not in the source: nope\.yaml/);
  });

  it('clones a git source in the pod', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'repo-'));
    const git = (...args: string[]): string => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'VERSION'), '1.2.3\n');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'v1');
    const id = newId('git');
    const { outcome } = await run(
      input(
        id,
        [
          stage('build', [
            labStep(id, 'build', 'read', 'cat VERSION; git rev-parse --abbrev-ref HEAD >/dev/null && echo in-git'),
          ]),
        ],
        { kind: 'git', url: repo, ref: 'main' },
      ),
    );
    assert.equal(outcome.result?.status, 'success', outcome.error ?? '');
    assert.deepEqual(await logsOf(id, 'read'), ['1.2.3', 'in-git']);
  });

  it('is cancelled from the CLI: steps stop, pods are deleted, the result says cancelled', async () => {
    const id = newId('cancel');
    const build = input(id, [stage('build', [labStep(id, 'build', 'long', 'echo long-start; sleep 120')])]);
    await startBuild(client, config.taskQueue, build, { repository: 'e2e', branch: 'main' });
    for (let i = 0; i < 300 && !(await logsOf(id, 'long')).includes('long-start'); i++)
      await new Promise((r) => setTimeout(r, 100));
    // Asynchronously: the worker runs in this process and must keep working meanwhile.
    const cancel = await runCli(['cancel', id], {
      TEMPORAL_ADDRESS: config.temporalAddress,
      KUBECONFIG: config.kubeconfig ?? '',
      WHARF_TEMPORAL_TASK_QUEUE: config.taskQueue,
    });
    assert.equal(cancel.code, 0, cancel.output);
    assert.match(cancel.output, /cancelled/);
    const outcome = await awaitBuildOutcome(client, id);
    assert.equal(outcome.result?.status, 'cancelled');
    assert.equal(outcome.result?.stages[0]?.steps[0]?.status, 'cancelled');
    assert.equal((await client.workflow.getHandle(id).describe()).status.name, 'CANCELLED');
    assert.deepEqual(await buildPods(lab, id), []);
  });
});
