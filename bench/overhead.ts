// How much time orchestration adds to a build, beside the floor: the same build shape
// driven by a minimal script straight through the Kubernetes API (bench/lib/floor.ts).
// Builds of S stages x P parallel steps whose commands take a known time; for each shape,
// ours and the floor take turns, so both see the same machine load.
//   wall, critical path (stages x command length), overhead = wall - critical path (per
//   build, and per step on the critical path: / stages), run -> first command, the gap
//   between stages, history events per step;
//   fan-out: a 20-step stage, first pod created -> all 20 ready;
//   an image that cannot be pulled: how long until the build fails saying so;
//   resume: the worker SIGKILLed while a command runs and started again: kill -> the
//   other worker re-attached (the heartbeat timeout bounds it), killed just after the
//   command started (a heartbeat just sent: the longest wait) and at moments spread over
//   one heartbeat interval.
// The worker is a process of its own. Pods go to the simulated nodes unless --real-node
// (the lab's real node: its selector and taint, the lab's busybox) or --node-selector
// (and --image) put them on a real node.
// Usage: node bench/overhead.ts [--shapes 1x1,3x4,10x10] [--seconds 0,2] [--runs N]
//        [--fan-out N] [--real-node | --node-selector k=v --image IMAGE] [--skip-resume]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { awaitBuildOutcome } from '../src/client/build-outcome.ts';
import { startBuild } from '../src/client/start-build.ts';
import { connectClient } from '../src/client/temporal-client.ts';
import { FileStore } from '../src/store/file-store.ts';
import { connectLab } from '../test/support/lab.ts';
import { labStep } from '../test/support/lab-plans.ts';
import { plan, stage } from '../test/support/plans.ts';
import { runFloor } from './lib/floor.ts';
import { figure, header, ms, pct, spread } from './lib/figures.ts';
import { PodTimeline } from './lib/pod-timeline.ts';
import {
  describeShape,
  historyFigures,
  parseShape,
  placePod,
  readStep,
  realNodePlacement,
  totalTimeouts,
  shapedPlan,
  shapedSteps,
  spanFigures,
  spansFromLogs,
  type PodPlacement,
  type Shape,
} from './lib/shapes.ts';
import { WorkerProcess } from './lib/worker-process.ts';

const { values } = parseArgs({
  options: {
    shapes: { type: 'string', default: '1x1,3x4,10x10' },
    seconds: { type: 'string', default: '0,2' },
    runs: { type: 'string', default: '5' },
    'fan-out': { type: 'string', default: '20' },
    'real-node': { type: 'boolean', default: false },
    'node-selector': { type: 'string' },
    image: { type: 'string' },
    heartbeat: { type: 'string', default: '10' },
    'skip-resume': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const fanOutSteps = Number(values['fan-out']);
const heartbeatSeconds = Number(values.heartbeat);
const lab = connectLab();
const placement: PodPlacement = {
  ...(values['real-node'] ? realNodePlacement(lab.status) : {}),
  ...(values.image ? { image: values.image } : {}),
  ...(values['node-selector']
    ? { nodeSelector: Object.fromEntries([values['node-selector'].split('=') as [string, string]]) }
    : {}),
};
const shapes: Shape[] = values.shapes
  .split(',')
  .flatMap((s) => values.seconds.split(',').map((sec) => parseShape(s.trim(), Number(sec))));

const config = lab.config('bench-overhead');
const logs = new FileStore(config.logRoot);
const worker = new WorkerProcess({ config });
await worker.start();
const { client, close } = await connectClient(config);
const tag = (Date.now() % 1e8).toString(36);
let serial = 0;
const newId = (kind: string): string => `${kind}-${tag}-${serial++}`;
const timeouts = { pendingSeconds: 120, runSeconds: 600, heartbeatSeconds };

header(
  `bench/overhead: ours (Temporal, a worker process) beside the floor (the Kubernetes API alone), ${runs} run(s) per shape${values['node-selector'] ? `, node ${values['node-selector']}` : ', simulated nodes'}`,
);

interface BuildFigures {
  wall: number;
  overhead: number;
  perStep: number;
  firstCommand: number;
  gaps: number[];
}

async function ours(shape: Shape): Promise<BuildFigures & { eventsPerStep: number; timeouts: number }> {
  const id = newId('ov');
  const startedAt = Date.now();
  await startBuild(
    client,
    config.taskQueue,
    { buildId: id, plan: shapedPlan(id, shape, placement), source: { kind: 'none' }, onlyStages: [], timeouts },
    { repository: 'bench', branch: 'main' },
  );
  const outcome = await awaitBuildOutcome(client, id);
  const wall = Date.now() - startedAt;
  if (outcome.result?.status !== 'success') throw new Error(`${id}: ${outcome.error}`);
  const spans = await spansFromLogs(logs, id, shape);
  const history = await historyFigures(client, id, shape);
  return {
    ...figures(shape, wall, spans.length ? spanFigures(spans, startedAt, shape) : { firstCommand: NaN, gaps: [] }),
    eventsPerStep: history.events / (shape.stages * shape.steps),
    timeouts: totalTimeouts(history.timeouts),
  };
}

async function floor(shape: Shape): Promise<BuildFigures> {
  const id = newId('fl');
  const run = await runFloor(lab.kc, lab.namespace, id, shapedSteps(id, shape, placement));
  return figures(shape, run.endedAt - run.startedAt, spanFigures(run.spans, run.startedAt, shape));
}

function figures(shape: Shape, wall: number, spans: { firstCommand: number; gaps: number[] }): BuildFigures {
  const critical = shape.stages * shape.seconds * 1000;
  return { wall, overhead: wall - critical, perStep: (wall - critical) / shape.stages, ...spans };
}

// A first build warms the worker (workflow bundle, connections) and the API server: not counted.
await ours({ stages: 1, steps: 1, seconds: 0 });
await floor({ stages: 1, steps: 1, seconds: 0 });

const summary: string[] = [];
for (const shape of shapes) {
  const o: Awaited<ReturnType<typeof ours>>[] = [];
  const f: BuildFigures[] = [];
  const loads: number[] = [];
  for (let i = 0; i < runs; i++) {
    loads.push(loadavg()[0]!);
    o.push(await ours(shape));
    f.push(await floor(shape));
  }
  const name = describeShape(shape);
  const col = (xs: BuildFigures[], key: 'wall' | 'overhead' | 'perStep' | 'firstCommand'): number[] =>
    xs.map((x) => x[key]);
  console.log(
    `\n## ${name}: critical path ${ms(shape.stages * shape.seconds * 1000)}, load ${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)}`,
  );
  for (const key of ['wall', 'overhead', 'perStep', 'firstCommand'] as const) {
    const label = {
      wall: 'wall',
      overhead: 'overhead per build',
      perStep: 'overhead per step',
      firstCommand: 'start -> first command',
    }[key];
    figure(`${name} ours  ${label}`, spread(col(o, key)));
    figure(`${name} floor ${label}`, spread(col(f, key)));
  }
  if (shape.stages > 1) {
    figure(`${name} ours  gap between stages`, spread(o.flatMap((x) => x.gaps)));
    figure(`${name} floor gap between stages`, spread(f.flatMap((x) => x.gaps)));
  }
  const ratio = pct(col(o, 'wall'), 0.5) / pct(col(f, 'wall'), 0.5);
  const overheadRatio = pct(col(o, 'overhead'), 0.5) / pct(col(f, 'overhead'), 0.5);
  figure(`${name} ours / floor`, `wall x${ratio.toFixed(2)}, overhead x${overheadRatio.toFixed(2)} (p50s)`);
  figure(
    `${name} history events per step`,
    `p50=${pct(
      o.map((x) => x.eventsPerStep),
      0.5,
    ).toFixed(
      1,
    )} max=${Math.max(...o.map((x) => x.eventsPerStep)).toFixed(1)}; timeouts ${o.reduce((n, x) => n + x.timeouts, 0)}`,
  );
  summary.push(
    `${name}: overhead/step p50 ${ms(pct(col(o, 'perStep'), 0.5))} p95 ${ms(pct(col(o, 'perStep'), 0.95))}, floor ${ms(pct(col(f, 'perStep'), 0.5))}; wall x${ratio.toFixed(2)} of the floor`,
  );
}

if (fanOutSteps > 0) {
  console.log(`\n## fan-out: one stage of ${fanOutSteps} steps`);
  const shape: Shape = { stages: 1, steps: fanOutSteps, seconds: 0 };
  const oursFan: number[] = [];
  const floorFan: number[] = [];
  for (let i = 0; i < Math.max(1, Math.ceil(runs / 2)); i++) {
    const id = newId('fo');
    const timeline = await PodTimeline.start(lab.kc, lab.namespace, `wharf-temporal/build-id=${id}`);
    await startBuild(
      client,
      config.taskQueue,
      { buildId: id, plan: shapedPlan(id, shape, placement), source: { kind: 'none' }, onlyStages: [], timeouts },
      { repository: 'bench', branch: 'main' },
    );
    const outcome = await awaitBuildOutcome(client, id);
    timeline.stop();
    if (outcome.result?.status !== 'success') throw new Error(`${id}: ${outcome.error}`);
    oursFan.push(timeline.fanOut(() => true));
    const fid = newId('ff');
    floorFan.push((await runFloor(lab.kc, lab.namespace, fid, shapedSteps(fid, shape, placement))).fanOut[0]!);
  }
  figure(`fan-out ${fanOutSteps} ours  (first pod created -> all ready)`, spread(oursFan));
  figure(`fan-out ${fanOutSteps} floor`, spread(floorFan));
  summary.push(`fan-out of ${fanOutSteps}: p50 ${ms(pct(oursFan, 0.5))}, floor ${ms(pct(floorFan, 0.5))}`);
}

{
  console.log('\n## an image that cannot be pulled');
  const id = newId('ip');
  const startedAt = Date.now();
  const bad = labStep(id, 's0', 'p0', 'true', 'lab.invalid/no-such-image:1');
  placePod(bad.pod, placement);
  await startBuild(
    client,
    config.taskQueue,
    { buildId: id, plan: plan([stage('s0', [bad])]), source: { kind: 'none' }, onlyStages: [], timeouts },
    { repository: 'bench', branch: 'main' },
  );
  const outcome = await awaitBuildOutcome(client, id);
  const error = outcome.result?.stages[0]?.steps[0]?.error ?? outcome.error ?? '';
  const said = /ImagePull|ErrImage|pull/i.test(error);
  figure(
    'image-pull failure reported after',
    `${ms(Date.now() - startedAt)}; status ${outcome.result?.status}; ${said ? 'says why' : 'DOES NOT SAY WHY'}: ${error.slice(0, 120)}`,
  );
  summary.push(`image-pull failure: reported in ${ms(Date.now() - startedAt)}${said ? '' : ' WITHOUT the reason'}`);
}

if (!values['skip-resume']) {
  // Two workers; the one running the command is SIGKILLed, the other takes the step over.
  console.log(
    `\n## resume after the worker running a command is SIGKILLed (heartbeat timeout ${heartbeatSeconds} s, a second worker up)`,
  );
  const other = new WorkerProcess({ config });
  await other.start();
  const pool = [worker, other];
  // The server hears a running step at most this often (the SDK's throttle, the worker's
  // 5 s cap): a kill right after a heartbeat waits the whole timeout, one later less.
  const heartbeatEveryMs = Math.min(5000, 0.8 * heartbeatSeconds * 1000);

  /** Kills the worker running a step `killAfterMs` after its command's first line; kill -> re-attached, kill -> build done. */
  async function resumeAfterKill(killAfterMs: number, sleepSeconds: number): Promise<[number, number]> {
    const id = newId('rs');
    const script = `echo wharf-bench-before; sleep ${sleepSeconds}; echo wharf-bench-after`;
    const shape: Shape = { stages: 1, steps: 1, seconds: sleepSeconds };
    await startBuild(
      client,
      config.taskQueue,
      {
        buildId: id,
        plan: shapedPlan(id, shape, placement, script),
        source: { kind: 'none' },
        onlyStages: [],
        timeouts,
      },
      { repository: 'bench', branch: 'main' },
    );
    const ref = { buildId: id, stage: 's0', step: 'p0' };
    const lines = async (): Promise<string[]> => (await readStep(logs, ref)).map((r) => r.l);
    while (!(await lines()).includes('wharf-bench-before')) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, killAfterMs));
    const pending = (await client.workflow.getHandle(`${id}.s0.p0`).describe()).raw.pendingActivities ?? [];
    const runner = pool.find((w) => pending.some((a) => a.lastWorkerIdentity?.startsWith(`${w.pid}@`))) ?? worker;
    await runner.kill();
    const killedAt = Date.now();
    const outcome = await awaitBuildOutcome(client, id);
    const finished = Date.now() - killedAt;
    const records = await readStep(logs, ref);
    const resumed = records.find((r) => r.s === 'sys' && /re-attached/.test(r.l));
    if (outcome.result?.status !== 'success' || !resumed)
      throw new Error(`${id} did not resume after the kill: ${outcome.error}`);
    if ((await lines()).filter((l) => l === 'wharf-bench-before').length !== 1)
      throw new Error(`${id}: the command's first line was stored more than once`);
    await runner.start();
    return [resumed.t - killedAt, finished];
  }

  const rounds = Math.max(1, Math.ceil(runs / 2));
  const worst: number[] = [];
  const finishes: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const [resume, finish] = await resumeAfterKill(0, 2);
    worst.push(resume);
    finishes.push(finish);
  }
  // Workers die at any moment: spread the kills evenly over one heartbeat interval.
  const anyMoment: number[] = [];
  // Long enough to run on past the kill and the timeout, so the other worker re-attaches to it running.
  const longSleep = Math.ceil(heartbeatEveryMs / 1000 + heartbeatSeconds + 3);
  for (let i = 0; i < rounds; i++) {
    const [resume] = await resumeAfterKill(Math.round(((i + Math.random()) / rounds) * heartbeatEveryMs), longSleep);
    anyMoment.push(resume);
  }
  figure(
    'kill -> command re-attached by the other worker',
    `${spread(worst)}; heartbeat timeout ${heartbeatSeconds * 1000} ms (killed just after the command started: a heartbeat had just gone)`,
  );
  figure(
    'kill at any moment -> re-attached',
    `${spread(anyMoment)}; the kills spread over one heartbeat interval (${heartbeatEveryMs} ms)`,
  );
  figure('kill -> build finished', spread(finishes));
  summary.push(
    `resume after SIGKILL: p50 ${ms(pct(worst, 0.5))} just after a heartbeat, ${ms(pct(anyMoment, 0.5))} at any moment (heartbeat timeout ${heartbeatSeconds} s), build finished ${ms(pct(finishes, 0.5))} after the kill`,
  );
  await other.stop();
}

console.log('\n## summary');
for (const line of summary) console.log(`  ${line}`);
figure('worker peak RSS (this run)', `${(worker.peakRss() / 2 ** 20).toFixed(0)} MB`);

await worker.stop();
await close();
process.exit(0);
