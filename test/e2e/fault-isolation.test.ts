// A faulty step and a healthy build on the same worker, on the lab: the faulty step
// fails with a clear reason, the healthy build succeeds, and nothing escapes into the
// worker's process (here, the test's own).
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awaitBuildOutcome } from '../../src/client/build-outcome.ts';
import { readAllRecords } from '../../src/client/log-follower.ts';
import { startBuild } from '../../src/client/start-build.ts';
import { FileStore } from '../../src/store/file-store.ts';
import type { BuildWorkflowInput, SourceSpec } from '../../workflows/types.ts';
import { watchProcessFaults } from '../support/fake-exec-server.ts';
import { startInProcessWorker, type InProcessWorker } from '../support/in-process-worker.ts';
import { buildPods, connectLab, type Lab } from '../support/lab.ts';
import { labStep } from '../support/lab-plans.ts';
import type { StagePlan } from '../../src/plan/build-plan.ts';
import { labBuild, stage } from '../support/plans.ts';

describe('a faulty step beside a healthy build on one worker', function () {
  this.timeout(180_000);
  let lab: Lab;
  let worker: InProcessWorker;

  before(async () => {
    lab = connectLab();
    worker = await startInProcessWorker(lab, 'faults', 20);
  });
  after(async () => worker?.stop());

  const input = (buildId: string, stages: StagePlan[], source?: SourceSpec): BuildWorkflowInput =>
    labBuild(buildId, stages, source, 120);

  it('fails the faulty step with its reason and lets the healthy build succeed', async () => {
    const run = `${process.pid}-${Date.now().toString(36)}`;
    // A shell that greets before it runs anything, as some images' shells do.
    const bin = mkdtempSync(join(tmpdir(), 'banner-'));
    const shell = join(bin, 'sh');
    writeFileSync(shell, '#!/bin/sh\necho "Welcome to BusyBox v1.36.1 (built-in shell)"\nexec /bin/sh "$@"\n');
    chmodSync(shell, 0o755);
    const src = mkdtempSync(join(tmpdir(), 'src-'));
    writeFileSync(join(src, 'data.txt'), 'healthy source\n');

    const faultyId = `faulty-${run}`;
    const faulty = labStep(faultyId, 'build', 'greeter', 'echo never parsed');
    faulty.exec.shell = shell;
    const healthyId = `healthy-${run}`;
    const healthy = labStep(
      healthyId,
      'build',
      'steady',
      'cat data.txt; for i in 1 2 3; do echo tick $i; sleep 1; done',
    );

    const guard = watchProcessFaults();
    try {
      const labels = { repository: 'e2e', branch: 'main' };
      await startBuild(
        worker.client,
        worker.config.taskQueue,
        input(healthyId, [stage('build', [healthy])], { kind: 'local', path: src }),
        labels,
      );
      await startBuild(worker.client, worker.config.taskQueue, input(faultyId, [stage('build', [faulty])]), labels);
      const [healthyOutcome, faultyOutcome] = await Promise.all([
        awaitBuildOutcome(worker.client, healthyId),
        awaitBuildOutcome(worker.client, faultyId),
      ]);

      assert.equal(faultyOutcome.result?.status, 'failed');
      const step = faultyOutcome.result?.stages[0]?.steps[0];
      assert.match(
        step?.error ?? '',
        /command follower .* broke its protocol \(unexpected output from the command follower: "Welcome to BusyBox v1\.36\.1 \(built-in shell\)"\)/,
      );

      assert.equal(healthyOutcome.result?.status, 'success', healthyOutcome.error ?? '');
      const lines = (await readAllRecords(new FileStore(worker.config.logRoot), healthyId))
        .filter((r) => r.record.s === 'out')
        .map((r) => r.record.l);
      assert.deepEqual(lines, ['healthy source', 'tick 1', 'tick 2', 'tick 3']);
      assert.deepEqual(await buildPods(lab, faultyId), [], "the faulty step's pod is deleted");
    } finally {
      guard.stop();
    }
    assert.deepEqual(guard.faults, [], 'nothing escaped into the worker process');
  });
});
