// The build, stage and step workflows on a real Temporal dev server, with activities
// replaced by fakes that record what they were asked to do: orchestration logic only.
// The same workflows against real pods are covered in test/e2e.
import assert from 'node:assert/strict';
import { cancelled, heartbeat, sleep } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { StepActivities } from '../../activities/index.ts';
import type { BuildRecord } from '../../src/store/build-store.ts';
import { workflowMetricsSinks } from '../../src/worker/build-worker.ts';
import { loadWorkflowBundle } from '../../src/worker/workflow-bundle.ts';
import { PayloadLimits } from '../../src/limits/payload-bytes.ts';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.ts';
import { stepWorkflowId } from '../../workflows/stage.ts';
import type {
  BuildResult,
  BuildWorkflowInput,
  CreatePodInput,
  RunCommandInput,
  TransferSourceInput,
} from '../../workflows/types.ts';
import { buildInput, plan, stage, step } from '../support/plans.ts';
import { recordHistories } from '../support/record-histories.ts';
import { temporalCliPath } from '../support/temporal-cli.ts';

interface Recorder {
  created: string[];
  deleted: string[];
  commands: string[];
  /** `start <step>` and `end <step>` of every command, in the order they happened. */
  events: string[];
  recorded: BuildRecord[];
  /** `<activity> <step>` of every activity that was asked to wait for its pod, and of awaitPodReady. */
  waits: string[];
}

// Commands understood by the fake runCommand: ['exit', N], ['sleep', ms], ['hang'].
function fakeActivities(rec: Recorder): StepActivities {
  return {
    async createPod(input: CreatePodInput) {
      const name = input.pod.metadata?.name ?? '';
      rec.created.push(name);
      return { name, uid: `uid-${name}` };
    },
    async awaitPodReady(input: { pod: { name: string } }) {
      rec.waits.push(`awaitPodReady ${input.pod.name}`);
    },
    async transferSource(input: TransferSourceInput) {
      if (input.awaitReady) rec.waits.push(`transferSource ${input.pod.name}`);
      return { files: 0, skipped: [] };
    },
    async runCommand(input: RunCommandInput) {
      if (input.awaitReady) rec.waits.push(`runCommand ${input.pod.name}`);
      rec.commands.push(input.step);
      rec.events.push(`start ${input.step}`);
      const [verb, arg] = input.command;
      if (verb === 'exit') return { exitCode: Number(arg), logTail: [`exiting ${arg}`] };
      // The most an activity without byte bounds returned: 20 lines of 500 characters, here 3 bytes each.
      if (verb === 'tail') return { exitCode: 0, logTail: Array.from({ length: 20 }, () => '€'.repeat(500)) };
      if (verb === 'sleep') await sleep(Number(arg));
      if (verb === 'hang') {
        for (;;) {
          heartbeat();
          await Promise.race([cancelled(), sleep(200)]);
        }
      }
      rec.events.push(`end ${input.step}`);
      return { exitCode: 0, logTail: [`${input.step} done`] };
    },
    async deletePod(input: { name: string }) {
      rec.deleted.push(input.name);
    },
    async recordBuild(record: BuildRecord) {
      rec.recorded.push(record);
    },
  } as unknown as StepActivities; // the fakes take the real inputs; their outputs are shaped alike
}

describe('build workflow (real Temporal, fake pods)', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  let rec: Recorder;
  let worker: Worker;
  let running: Promise<void>;
  let counter = 0;

  before(async () => {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCliPath() },
        searchAttributes: ALL_SEARCH_ATTRIBUTES,
      },
    });
    rec = { created: [], deleted: [], commands: [], events: [], recorded: [], waits: [] };
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'wf-test',
      workflowBundle: await loadWorkflowBundle(),
      activities: fakeActivities(rec),
      sinks: workflowMetricsSinks(undefined),
    });
    running = worker.run();
  });

  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  beforeEach(() => {
    rec.created.length = 0;
    rec.deleted.length = 0;
    rec.commands.length = 0;
    rec.events.length = 0;
    rec.recorded.length = 0;
    rec.waits.length = 0;
  });

  async function runBuild(input: BuildWorkflowInput): Promise<{ result: BuildResult; error: unknown }> {
    const handle = await env.client.workflow.start('buildWorkflow', {
      taskQueue: 'wf-test',
      workflowId: input.buildId,
      args: [input],
    });
    try {
      const result = (await handle.result()) as BuildResult;
      await recordHistories(env.client, input);
      return { result, error: null };
    } catch (error) {
      await recordHistories(env.client, input);
      assert.ok(error instanceof WorkflowFailedError, `unexpected error ${String(error)}`);
      const cause = error.cause;
      const details =
        cause instanceof ApplicationFailure || cause instanceof CancelledFailure ? cause.details : undefined;
      return { result: details?.[0] as BuildResult, error: cause };
    }
  }

  const id = (name: string): string => `${name}-${Date.now()}-${counter++}`;

  it('runs stages in order and the steps of a stage in parallel, deleting every pod', async () => {
    const { result, error } = await runBuild(
      buildInput(
        id('ok'),
        plan([
          stage('build', [step('a', ['sleep', '1500']), step('b', ['sleep', '1500'])]),
          stage('test', [step('c', ['exit', '0'])]),
        ]),
      ),
    );
    assert.equal(error, null);
    assert.equal(result.status, 'success');
    assert.deepEqual(
      result.stages.map((s) => [s.name, s.status]),
      [
        ['build', 'success'],
        ['test', 'success'],
      ],
    );
    assert.deepEqual(
      result.stages[0]!.steps.map((s) => s.status),
      ['success', 'success'],
    );
    // Parallel: both steps of the first stage started before either finished.
    assert.deepEqual(rec.events.slice(0, 2).sort(), ['start a', 'start b'], rec.events.join(', '));
    assert.deepEqual([...rec.deleted].sort(), ['test-a', 'test-b', 'test-c']);
    assert.equal(rec.commands.indexOf('c'), 2, 'stage test ran after stage build');
    // The finished build's record for the build store: ids, status, steps with exit codes.
    assert.equal(rec.recorded.length, 1);
    const record = rec.recorded[0]!;
    assert.equal(record.buildId, result.buildId);
    assert.equal(record.workflowId, result.buildId);
    assert.match(record.runId, /^[0-9a-f-]{36}$/);
    assert.equal(record.status, 'success');
    assert.equal(record.finishedAt - record.startedAt, result.durationMs);
    assert.deepEqual(
      record.stages.flatMap((s) => s.steps.map((st) => [st.name, st.status, st.exitCode, st.logTail.length])),
      [
        ['a', 'success', 0, 0],
        ['b', 'success', 0, 0],
        ['c', 'success', 0, 0],
      ],
    );
  });

  it('fails fast: a failing step cancels its siblings, skips success stages and runs fail/always stages', async () => {
    const { result, error } = await runBuild(
      buildInput(
        id('fail'),
        plan([
          stage('build', [step('broken', ['exit', '3']), step('slow', ['hang'])]),
          stage('deploy', [step('deploy', ['exit', '0'])]),
          stage('on-fail', [step('notify', ['exit', '0'])], { runsIf: 'fail' }),
          stage('cleanup', [step('tidy', ['exit', '0'])], { runsIf: 'always' }),
        ]),
      ),
    );
    assert.ok(error instanceof ApplicationFailure);
    assert.equal(error.type, 'BuildFailed');
    assert.match(error.message, /build\/broken: command exited with code 3/);
    assert.equal(result.status, 'failed');
    assert.deepEqual(
      result.stages.map((s) => s.status),
      ['failed', 'skipped', 'success', 'success'],
    );
    const [broken, slow] = result.stages[0]!.steps;
    assert.equal(broken!.status, 'failed');
    assert.equal(broken!.exitCode, 3);
    assert.deepEqual(broken!.logTail, ['exiting 3']);
    assert.equal(slow!.status, 'cancelled');
    assert.ok(!rec.commands.includes('deploy'));
    assert.deepEqual([...rec.deleted].sort(), ['test-broken', 'test-notify', 'test-slow', 'test-tidy']);
  });

  it('honours stage environment filters and --stage', async () => {
    const stages = [
      stage('build', [step('b', ['exit', '0'])]),
      stage('deploy-prod', [step('p', ['exit', '0'])], { environments: ['prod'] }),
      stage('deploy-stage', [step('s', ['exit', '0'])], { environments: ['stage'] }),
    ];
    const byEnv = await runBuild(buildInput(id('env'), plan(stages, 'stage')));
    assert.deepEqual(
      byEnv.result.stages.map((s) => s.status),
      ['success', 'skipped', 'success'],
    );
    const noEnv = await runBuild(buildInput(id('noenv'), plan(stages, null)));
    assert.deepEqual(
      noEnv.result.stages.map((s) => s.status),
      ['success', 'skipped', 'skipped'],
    );
    const only = await runBuild(buildInput(id('only'), plan(stages, 'prod'), { onlyStages: ['deploy-prod'] }));
    assert.deepEqual(
      only.result.stages.map((s) => s.status),
      ['skipped', 'success', 'skipped'],
    );
  });

  it('ends as Canceled when cancelled, and still deletes the pods of running steps', async () => {
    const input = buildInput(
      id('cancel'),
      plan([
        stage('build', [step('x', ['hang']), step('y', ['hang'])]),
        stage('later', [step('z', ['exit', '0'])], { runsIf: 'always' }),
      ]),
    );
    const handle = await env.client.workflow.start('buildWorkflow', {
      taskQueue: 'wf-test',
      workflowId: input.buildId,
      args: [input],
    });
    while (rec.commands.length < 2) await new Promise((r) => setTimeout(r, 100));
    await handle.cancel();
    await assert.rejects(
      handle.result(),
      (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure,
    );
    const description = await handle.describe();
    assert.equal(description.status.name, 'CANCELLED');
    assert.deepEqual([...rec.deleted].sort(), ['test-x', 'test-y']);
    assert.ok(!rec.commands.includes('z'), 'no stage runs after a cancellation');
    assert.deepEqual(
      rec.recorded.map((r) => [r.buildId, r.status]),
      [[input.buildId, 'cancelled']],
      'a cancelled build is recorded too',
    );
    await recordHistories(env.client, input);
  });

  it('ends a build of 100 steps with multi-byte log tails, its result within the payload budget', async function () {
    this.timeout(180_000);
    const steps = (n: number) => Array.from({ length: 50 }, (_, i) => step(`s${n}-${i}`, ['tail']));
    const input = buildInput(id('big'), plan([stage('one', steps(1)), stage('two', steps(2))]));
    const { result, error } = await Promise.race([
      runBuild(input),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the build is still running after 150 s')), 150_000),
      ),
    ]);
    assert.equal(error, null);
    assert.equal(result.status, 'success');
    assert.ok(
      Buffer.byteLength(JSON.stringify(result)) <= PayloadLimits.buildResultBytes,
      'the result fits its budget',
    );
    const status = await env.client.workflow.getHandle(input.buildId).query<BuildResult>('buildStatus');
    assert.ok(
      Buffer.byteLength(JSON.stringify(status)) <= PayloadLimits.buildResultBytes,
      'the status query fits its budget',
    );
    for (const st of result.stages.flatMap((s) => s.steps)) {
      assert.equal(st.status, 'success');
      assert.ok(Buffer.byteLength(JSON.stringify(st.logTail)) <= PayloadLimits.logTailBytes);
    }
  });

  it('runs a step whose name is too long for a workflow id', async () => {
    const name = `step-${'x'.repeat(1100)}`;
    const input = buildInput(id('longname'), plan([stage('build', [step(name, ['exit', '0'])])]));
    const { result, error } = await Promise.race([
      runBuild(input),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the build is still running after 30 s')), 30_000),
      ),
    ]);
    assert.equal(error, null);
    assert.equal(result.status, 'success');
    const child = stepWorkflowId(input.buildId, 'build', name);
    assert.ok(Buffer.byteLength(child) <= PayloadLimits.workflowIdBytes);
    assert.equal((await env.client.workflow.getHandle(child).describe()).status.name, 'COMPLETED');
  });

  it('waits for the pod in the first activity that needs it, with no activity of its own', async () => {
    const input = buildInput(
      id('ready'),
      plan([stage('s', [step('plain', ['exit', '0']), step('sourced', ['exit', '0'])])]),
      { source: { kind: 'local', path: '.' } },
    );
    input.plan.stages[0]!.steps[1]!.source = { container: 'step', path: '/mnt/repo' };
    const { result } = await runBuild(input);
    assert.equal(result.status, 'success');
    assert.deepEqual([...rec.waits].sort(), ['runCommand test-plain', 'transferSource test-sourced']);
    for (const s of ['plain', 'sourced']) {
      const history = (await env.client.workflow.getHandle(`${input.buildId}.s.${s}`).fetchHistory()).events ?? [];
      const activities = history.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
      assert.deepEqual(activities, s === 'plain' ? ['runCommand'] : ['transferSource', 'runCommand']);
    }
  });

  it('stays within 40 history events per step', async () => {
    const input = buildInput(
      id('budget'),
      plan([stage('s', [step('one', ['exit', '0']), step('two', ['exit', '0'])])]),
      {
        source: { kind: 'local', path: '.' },
      },
    );
    input.plan.stages[0]!.steps.forEach((s) => (s.source = { container: 'step', path: '/mnt/repo' }));
    const { result } = await runBuild(input);
    assert.equal(result.status, 'success');
    let events = (await env.client.workflow.getHandle(input.buildId).fetchHistory()).events?.length ?? 0;
    for (const s of ['one', 'two']) {
      events += (await env.client.workflow.getHandle(`${input.buildId}.s.${s}`).fetchHistory()).events?.length ?? 0;
    }
    assert.ok(events / 2 <= 40, `${events / 2} events per step`);
  });
});
