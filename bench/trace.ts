// Where a step's time goes: runs builds of one shape on a worker process and prints the
// history of the build and of its step workflows, each event at its time from the build's
// start, then the round trips per step (workflow tasks, activities, local activities,
// child workflow starts) and, over every step, the p50 time between one milestone and
// the next (child initiated -> started -> pod created -> ready -> command started ->
// completed -> pod deleted -> child completed in the parent); and per build, the sum
// over its histories of the time the worker held a workflow task (started -> completed)
// and the time tasks waited to be taken (scheduled -> started), beside the client's part.
// Usage: node bench/trace.ts [--shape 1x1] [--seconds 0] [--runs 3] [--quiet]
import { parseArgs } from 'node:util';
import type { temporal } from '@temporalio/proto';
import { awaitBuildOutcome } from '../src/client/build-outcome.ts';
import { startBuild } from '../src/client/start-build.ts';
import { connectClient } from '../src/client/temporal-client.ts';
import { stepWorkflowId } from '../workflows/stage.ts';
import { connectLab } from '../test/support/lab.ts';
import { figure, header, ms, pct } from './lib/figures.ts';
import { parseShape, shapedPlan, stageName, stepName } from './lib/shapes.ts';
import { WorkerProcess } from './lib/worker-process.ts';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const { values } = parseArgs({
  options: {
    shape: { type: 'string', default: '1x1' },
    seconds: { type: 'string', default: '0' },
    runs: { type: 'string', default: '3' },
    quiet: { type: 'boolean', default: false },
  },
});
const shape = parseShape(values.shape, Number(values.seconds));
const runs = Number(values.runs);

const lab = connectLab();
const config = lab.config('bench-trace');
const worker = new WorkerProcess({ config });
await worker.start();
const { client, close } = await connectClient(config);
const tag = (Date.now() % 1e8).toString(36);
const timeouts = { pendingSeconds: 120, runSeconds: 600, heartbeatSeconds: 10 };

header(`bench/trace: histories of ${runs} build(s) of ${values.shape} ${shape.seconds}s`);

const time = (e: HistoryEvent): number => {
  const t = e.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN;
};
const typeName = (e: HistoryEvent): string => {
  const name = Object.keys(e).find((k) => k.endsWith('EventAttributes') && e[k as keyof HistoryEvent]);
  return name ? name.replace(/EventAttributes$/, '').replace(/^./, (c) => c.toUpperCase()) : String(e.eventType);
};
/** What the event is about: the activity, the marker's local activity, the child. */
function about(e: HistoryEvent, scheduled: Map<number, string>): string {
  if (e.activityTaskScheduledEventAttributes) {
    const name = e.activityTaskScheduledEventAttributes.activityType?.name ?? '';
    scheduled.set(Number(e.eventId), name);
    return name;
  }
  const ref =
    e.activityTaskStartedEventAttributes?.scheduledEventId ??
    e.activityTaskCompletedEventAttributes?.scheduledEventId ??
    e.activityTaskFailedEventAttributes?.scheduledEventId;
  if (ref !== undefined && ref !== null) return scheduled.get(Number(ref)) ?? '';
  if (e.markerRecordedEventAttributes) return e.markerRecordedEventAttributes.markerName ?? '';
  const child =
    e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ??
    e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId ??
    e.childWorkflowExecutionCompletedEventAttributes?.workflowExecution?.workflowId;
  return child ?? '';
}

/** A history's workflow tasks: time from started to completed (the worker holds it) and from scheduled to started. */
function workflowTaskTimes(events: HistoryEvent[]): { inWorker: number; queued: number } {
  const at = new Map(events.map((e) => [Number(e.eventId), time(e)]));
  let inWorker = 0;
  let queued = 0;
  for (const e of events) {
    const done = e.workflowTaskCompletedEventAttributes;
    if (!done) continue;
    const started = at.get(Number(done.startedEventId));
    const scheduled = at.get(Number(done.scheduledEventId));
    if (started !== undefined) inWorker += time(e) - started;
    if (started !== undefined && scheduled !== undefined) queued += started - scheduled;
  }
  return { inWorker, queued };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

const gaps = new Map<string, number[]>();
const add = (name: string, value: number): void => {
  if (Number.isFinite(value)) gaps.set(name, [...(gaps.get(name) ?? []), value]);
};
const perStep = { workflowTasks: [] as number[], activities: [] as number[], markers: [] as number[] };
const buildWalls: number[] = [];
const stepEvents: number[] = [];

// A first build warms the worker up: not counted.
for (let run = -1; run < runs; run++) {
  const id = `tr-${tag}-${run + 1}`;
  const startedAt = Date.now();
  await startBuild(
    client,
    config.taskQueue,
    { buildId: id, plan: shapedPlan(id, shape), source: { kind: 'none' }, onlyStages: [], timeouts },
    { repository: 'bench', branch: 'main' },
  );
  const outcome = await awaitBuildOutcome(client, id);
  if (outcome.result?.status !== 'success') throw new Error(`${id}: ${outcome.error}`);
  if (run < 0) continue;
  buildWalls.push(Date.now() - startedAt);
  const build = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
  const histories: HistoryEvent[][] = [build];
  const t0 = time(build[0]!);
  const print = (who: string, events: HistoryEvent[]): void => {
    if (values.quiet || run > 0) return;
    const scheduled = new Map<number, string>();
    console.log(`\n### ${who}: ${events.length} events`);
    for (const e of events)
      console.log(
        `  ${String(e.eventId).padStart(3)} +${(time(e) - t0).toFixed(0).padStart(6)} ms  ${typeName(e).padEnd(40)} ${about(e, scheduled)}`,
      );
  };
  print(id, build);
  const initiated = new Map<string, number>();
  const childStarted = new Map<string, number>();
  const childDone = new Map<string, number>();
  for (const e of build) {
    const i = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
    if (i) initiated.set(i, time(e));
    const s = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
    if (s) childStarted.set(s, time(e));
    const c = e.childWorkflowExecutionCompletedEventAttributes?.workflowExecution?.workflowId;
    if (c) childDone.set(c, time(e));
  }
  const parentTasks = build.filter((e) => e.workflowTaskCompletedEventAttributes).length;
  let stageEnd = t0;
  for (let i = 0; i < shape.stages; i++) {
    const stageStart = Math.min(
      ...Array.from({ length: shape.steps }, (_, j) => initiated.get(stepWorkflowId(id, stageName(i), stepName(j)))!),
    );
    add('parent: previous stage done (or build started) -> child initiated', stageStart - stageEnd);
    for (let j = 0; j < shape.steps; j++) {
      const wid = stepWorkflowId(id, stageName(i), stepName(j));
      const events = (await client.workflow.getHandle(wid).fetchHistory()).events ?? [];
      print(wid, events);
      histories.push(events);
      stepEvents.push(events.length);
      perStep.workflowTasks.push(events.filter((e) => e.workflowTaskCompletedEventAttributes).length);
      perStep.activities.push(events.filter((e) => e.activityTaskScheduledEventAttributes).length);
      perStep.markers.push(
        events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length,
      );
      const scheduled = new Map<number, string>();
      const marks: [string, number][] = [['child initiated', initiated.get(wid)!]];
      marks.push(['child started (step history)', time(events[0]!)]);
      const markers = events.filter((e) => e.markerRecordedEventAttributes);
      for (const e of events) {
        const what = about(e, scheduled);
        if (e.activityTaskScheduledEventAttributes) marks.push([`${what} scheduled`, time(e)]);
        if (e.activityTaskStartedEventAttributes) marks.push([`${what} started`, time(e)]);
        if (e.activityTaskCompletedEventAttributes) marks.push([`${what} completed`, time(e)]);
      }
      if (markers[0]) marks.splice(2, 0, ['createPod marker', time(markers[0])]);
      if (markers.length > 1) marks.push(['deletePod marker', time(markers.at(-1)!)]);
      marks.push(['step workflow completed', time(events.at(-1)!)]);
      marks.push(['child completed (in the parent)', childDone.get(wid)!]);
      marks.sort((a, b) => a[1] - b[1]);
      for (let k = 1; k < marks.length; k++)
        add(`${marks[k - 1]![0]} -> ${marks[k]![0]}`, marks[k]![1] - marks[k - 1]![1]);
      stageEnd = Math.max(stageEnd, childDone.get(wid)!);
    }
  }
  add('parent: last child done -> build completed', time(build.at(-1)!) - stageEnd);
  const tasks = histories.map(workflowTaskTimes);
  const totals = { inWorker: sum(tasks.map((t) => t.inWorker)), queued: sum(tasks.map((t) => t.queued)) };
  add('build: workflow tasks held by the worker (sum over the build and its steps)', totals.inWorker);
  add('build: workflow tasks waiting to be taken (sum)', totals.queued);
  add(
    'build: client start -> first event, last event -> client has the result',
    buildWalls.at(-1)! - (time(build.at(-1)!) - t0),
  );
  if (run === 0) figure('build workflow tasks', String(parentTasks));
}

console.log(`\n## p50 of each hop (ms), over ${runs} build(s) of ${values.shape}`);
for (const [name, xs] of gaps) console.log(`  ${ms(pct(xs, 0.5)).padStart(8)}  ${name}  (n=${xs.length})`);
figure('build wall', `p50=${ms(pct(buildWalls, 0.5))}`);
figure(
  'per step',
  `workflow tasks p50=${pct(perStep.workflowTasks, 0.5)}, activities ${pct(perStep.activities, 0.5)}, local activities ${pct(perStep.markers, 0.5)}, events in its own history ${pct(stepEvents, 0.5)}`,
);

await worker.stop();
await close();
process.exit(0);
