// Kill -9 the worker in each phase of a step and start another: the build must finish
// with the right result, the command must have run once, exactly one pod must ever have
// existed for the step, and none may remain. Defined once, run on the simulated nodes
// and on the real node (each test file says which step, image and worker settings).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { awaitBuildOutcome } from '../../src/client/build-outcome.ts';
import { readAllRecords } from '../../src/client/log-follower.ts';
import { startBuild } from '../../src/client/start-build.ts';
import { connectClient } from '../../src/client/temporal-client.ts';
import type { StepPlan } from '../../src/pod/step-plan.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { stepStatusQuery } from '../../workflows/queries.ts';
import type { StepPhase } from '../../workflows/types.ts';
import { buildPods, connectLab, type Lab, type LabConfig } from './lab.ts';
import { PodCensus } from './pod-census.ts';
import { plan, stage } from './plans.ts';

const CLI = fileURLToPath(new URL('../../bin/wharf-temporal.js', import.meta.url));

/** Where in a step the worker is killed. */
export type CrashPhase = 'creating the pod' | 'waiting for readiness' | 'running the command' | 'deleting the pod';

export interface CrashSuite {
  /** The describe block's title. */
  title: string;
  /** The step that runs `script`; `counterDir` is a host folder the script appends to; `phase` the case's. */
  step(lab: Lab, buildId: string, script: string, counterDir: string, phase: CrashPhase): StepPlan;
  /** Where the script sees counterDir (the same path unless the pod mounts it elsewhere). */
  counterPath?: (counterDir: string) => string;
  /** Environment of the worker processes, besides the lab's (worker settings, say). */
  workerEnv?: (lab: Lab) => Record<string, string>;
  /** More checks of the step's one pod. */
  checkPods?: (lab: Lab, census: PodCensus) => void;
}

/** A worker process of the CLI on the test's task queue, resolved once it polls. */
export function startCliWorker(
  config: LabConfig,
  pauses: string,
  env: Record<string, string>,
  workers: ChildProcess[],
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'worker', '--shutdown-grace', '1'], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: config.temporalAddress,
      KUBECONFIG: config.kubeconfig ?? '',
      WHARF_TEMPORAL_TASK_QUEUE: config.taskQueue,
      WHARF_TEMPORAL_NAMESPACE: config.kubeNamespace,
      WHARF_TEMPORAL_LOG_DIR: config.logRoot,
      WHARF_TEMPORAL_PAUSE_AFTER: pauses,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('polling task queue')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${output}`)));
  });
}

export async function until(what: string, test: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function defineWorkerCrashTests(suite: CrashSuite): void {
  describe(suite.title, function () {
    this.timeout(240_000);
    let lab: Lab;
    let config: LabConfig;
    let client: Client;
    let closeClient: () => Promise<void>;
    let workerEnv: Record<string, string> = {};
    const workers: ChildProcess[] = [];

    before(async () => {
      lab = connectLab();
      workerEnv = suite.workerEnv?.(lab) ?? {};
      config = lab.config('crash');
      ({ client, close: closeClient } = await connectClient(config));
    });

    afterEach(() => {
      for (const w of workers.splice(0)) w.kill('SIGKILL');
    });

    after(async () => closeClient?.());

    async function phaseOf(workflowId: string): Promise<StepPhase | null> {
      try {
        return (await client.workflow.getHandle(workflowId).query(stepStatusQuery)).phase;
      } catch {
        return null;
      }
    }

    const cases: {
      phase: CrashPhase;
      trigger: (ctx: { id: string; census: PodCensus; logs: () => Promise<string[]> }) => Promise<boolean> | boolean;
    }[] = [
      { phase: 'creating the pod', trigger: ({ census }) => census.uidsByName.size > 0 },
      // Readiness is awaited by the first activity that needs the pod: the sign is the pod
      // created (the step past creating it) and not ready yet.
      {
        phase: 'waiting for readiness',
        trigger: async ({ id }) => {
          const phase = await phaseOf(`${id}.build.crash`);
          if (phase === null || phase === 'creating-pod') return false;
          const pods = await buildPods(lab, id);
          return (
            pods.length === 1 && !pods[0]!.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
          );
        },
      },
      { phase: 'running the command', trigger: async ({ logs }) => (await logs()).includes('started') },
      // Deletion runs as a local activity, inside a workflow task, when queries wait: so the
      // sign is the command done and its pod gone while the worker pauses after deleting it.
      {
        phase: 'deleting the pod',
        trigger: async ({ id, logs }) => (await logs()).includes('finished') && (await buildPods(lab, id)).length === 0,
      },
    ];

    for (const [index, c] of cases.entries()) {
      it(`finishes the build when killed while ${c.phase}`, async () => {
        const id = `crash-${index}-${process.pid}-${Date.now() % 100000}`;
        const counterDir = mkdtempSync(join(tmpdir(), 'count-'));
        const counter = join(suite.counterPath?.(counterDir) ?? counterDir, 'runs');
        const script = `echo started; echo run >> ${counter}; sleep 3; echo finished`;
        const census = await PodCensus.start(lab, id);
        const logs = async (): Promise<string[]> =>
          (await readAllRecords(new FileStore(config.logRoot), id)).map((r) => r.record.l);
        try {
          const first = await startCliWorker(config, 'createPod=3000,deletePod=3000', workerEnv, workers);
          await startBuild(
            client,
            config.taskQueue,
            {
              buildId: id,
              plan: plan([stage('build', [suite.step(lab, id, script, counterDir, c.phase)])]),
              source: { kind: 'none' },
              onlyStages: [],
              timeouts: { pendingSeconds: 60, runSeconds: 300, heartbeatSeconds: 4 },
            },
            { repository: 'crash', branch: 'main' },
          );
          await until(c.phase, () => c.trigger({ id, census, logs }));
          first.kill('SIGKILL');
          await startCliWorker(config, '', workerEnv, workers);
          const outcome = await awaitBuildOutcome(client, id);
          assert.equal(outcome.result?.status, 'success', outcome.error ?? JSON.stringify(outcome.result?.stages));
          const hostCounter = join(counterDir, 'runs');
          assert.equal(
            existsSync(hostCounter) ? readFileSync(hostCounter, 'utf8') : '',
            'run\n',
            'the command ran exactly once',
          );
          assert.deepEqual(
            (await logs()).filter((l) => l === 'started' || l === 'finished'),
            ['started', 'finished'],
            'each line stored once',
          );
          assert.deepEqual(Object.values(census.counts()), [1], 'exactly one pod ever existed for the step');
          suite.checkPods?.(lab, census);
          await until('no pods left', async () => (await buildPods(lab, id)).length === 0, 10_000);
        } finally {
          census.stop();
        }
      });
    }
  });
}
