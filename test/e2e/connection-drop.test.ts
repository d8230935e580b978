// The exec connection of a running command drops (here: the node's kubelet dies and comes
// back): the step re-attaches from its last stored line, the command runs once.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { awaitBuildOutcome } from '../../src/client/build-outcome.ts';
import { readAllRecords } from '../../src/client/log-follower.ts';
import { startBuild } from '../../src/client/start-build.ts';
import type { LabConfig } from '../support/lab.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { startInProcessWorker, type InProcessWorker } from '../support/in-process-worker.ts';
import { connectLab, type Lab } from '../support/lab.ts';
import { labStep } from '../support/lab-plans.ts';
import { plan, stage } from '../support/plans.ts';

const KUBE_SH = fileURLToPath(new URL('../../tools/lab/kube.sh', import.meta.url));

describe('exec connection dropped mid-command', function () {
  this.timeout(240_000);
  let lab: Lab;
  let config: LabConfig;
  let client: Client;
  let worker: InProcessWorker;

  before(async () => {
    lab = connectLab();
    worker = await startInProcessWorker(lab, 'drop', 5);
    ({ config, client } = worker);
  });

  after(async () => worker?.stop());

  it('re-attaches after the kubelet comes back, without running the command again', async () => {
    const id = `drop-${process.pid}`;
    const counter = join(mkdtempSync(join(tmpdir(), 'drop-')), 'runs');
    const records = async () => (await readAllRecords(new FileStore(config.logRoot), id)).map((r) => r.record);
    await startBuild(
      client,
      config.taskQueue,
      {
        buildId: id,
        plan: plan([
          stage('build', [
            labStep(id, 'build', 'long', `echo started; echo run >> ${counter}; sleep 6; echo finished`),
          ]),
        ]),
        source: { kind: 'none' },
        onlyStages: [],
        timeouts: { pendingSeconds: 60, runSeconds: 300, heartbeatSeconds: 10 },
      },
      { repository: 'drop', branch: 'main' },
    );
    for (let i = 0; i < 300 && !(await records()).some((r) => r.l === 'started'); i++)
      await new Promise((r) => setTimeout(r, 100));
    const pidFile = join(dirname(lab.status.KUBECONFIG!), 'run', 'lab-kubelet.pid');
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    execFileSync('bash', [KUBE_SH, 'up'], { stdio: 'ignore' });
    const outcome = await awaitBuildOutcome(client, id);
    assert.equal(outcome.result?.status, 'success', outcome.error ?? '');
    assert.equal(existsSync(counter) ? readFileSync(counter, 'utf8') : '', 'run\n', 'the command ran once');
    assert.deepEqual(
      (await records()).filter((r) => r.s === 'out').map((r) => r.l),
      ['started', 'finished'],
    );
  });
});
