// Builds of a known shape for the bench scripts: S stages of P parallel steps, each
// running a command of known length that prints when it started and ended (the host's
// clock, in ms), so orchestration time can be told from command time.
import { readFileSync } from 'node:fs';
import type { V1Pod, V1Toleration } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { LogRecord } from '../../src/logs/log-record.ts';
import type { BuildStore, StepRef } from '../../src/store/build-store.ts';
import type { BuildPlan } from '../../src/plan/build-plan.ts';
import type { StepPlan } from '../../src/pod/step-plan.ts';
import { stepWorkflowId } from '../../workflows/stage.ts';
import { labStep } from '../../test/support/lab-plans.ts';
import { plan, stage } from '../../test/support/plans.ts';

export interface Shape {
  stages: number;
  steps: number;
  /** The command's length in seconds. */
  seconds: number;
}

export function parseShape(text: string, seconds: number): Shape {
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (!m) throw new Error(`a shape is STAGESxSTEPS (e.g. 3x4), got '${text}'`);
  return { stages: Number(m[1]), steps: Number(m[2]), seconds };
}

export function describeShape(s: Shape): string {
  return `${s.stages}x${s.steps} ${s.seconds}s`;
}

/** Where the pods go: the simulated nodes by default; a real node by selector and image. */
export interface PodPlacement {
  image?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: V1Toleration[];
}

/** A command of `seconds` that prints its start and end (ms since the epoch); `extra` runs first. */
export function timedCommand(seconds: number, extra = ''): string {
  const now = '$(date +%s%3N) up=$(cut -d" " -f1 /proc/uptime)';
  return `${extra}echo wharf-bench-start ${now}; sleep ${seconds}; echo wharf-bench-end ${now}`;
}

// busybox's date has no %N: the kernel's uptime (10 ms steps, the same kernel for every
// pod on this host) stands in, turned into epoch time with this process's own reading.
const bootEpochMs = Date.now() - Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000;

function epochMsOf(line: string): number {
  const epoch = /^\S+ (\d{13})\b/.exec(line);
  if (epoch) return Number(epoch[1]);
  const up = / up=(\d+(?:\.\d+)?)/.exec(line);
  return up ? Math.round(bootEpochMs + Number(up[1]) * 1000) : NaN;
}

export const stageName = (i: number): string => `s${i}`;
export const stepName = (j: number): string => `p${j}`;

export function shapedSteps(
  buildId: string,
  shape: Shape,
  placement: PodPlacement = {},
  command = timedCommand(shape.seconds),
): StepPlan[][] {
  return Array.from({ length: shape.stages }, (_, i) =>
    Array.from({ length: shape.steps }, (_, j) => {
      const step = labStep(buildId, stageName(i), stepName(j), command, placement.image);
      placePod(step.pod, placement);
      return step;
    }),
  );
}

export function shapedPlan(buildId: string, shape: Shape, placement: PodPlacement = {}, command?: string): BuildPlan {
  return plan(shapedSteps(buildId, shape, placement, command).map((steps, i) => stage(stageName(i), steps)));
}

/** Puts a pod where the placement says (its node selector and tolerations; the image is the step's). */
export function placePod(pod: V1Pod, placement: PodPlacement): void {
  if (placement.nodeSelector) pod.spec!.nodeSelector = placement.nodeSelector;
  if (placement.tolerations) pod.spec!.tolerations = placement.tolerations;
}

/** The lab's real node as a placement: its selector, a toleration of its taint, the lab's busybox image. */
export function realNodePlacement(status: Record<string, string>): PodPlacement {
  const { REAL_NODE, REAL_NODE_SELECTOR, REAL_NODE_TAINT, LAB_IMAGE_BUSYBOX } = status;
  if (!REAL_NODE || !REAL_NODE_SELECTOR || !REAL_NODE_TAINT || !LAB_IMAGE_BUSYBOX)
    throw new Error(
      `the lab has no real node: ${status.REAL_NODE_MISSING ?? 'unknown reason'} (bash tools/lab/node.sh status)`,
    );
  const [key, value] = REAL_NODE_SELECTOR.split('=') as [string, string];
  return {
    image: LAB_IMAGE_BUSYBOX,
    nodeSelector: { [key]: value },
    tolerations: [{ key: REAL_NODE_TAINT, operator: 'Exists' }],
  };
}

/** Start and end of one command, read from its output. */
export interface CommandSpan {
  stage: number;
  step: number;
  start: number;
  end: number;
}

/** Parses `wharf-bench-start T up=U` / `wharf-bench-end T up=U` lines; null when one is missing. */
export function spanFromLines(lines: string[]): { start: number; end: number } | null {
  let start = NaN;
  let end = NaN;
  for (const line of lines) {
    const m = /^wharf-bench-(start|end) /.exec(line);
    if (m?.[1] === 'start') start = epochMsOf(line);
    else if (m?.[1] === 'end') end = epochMsOf(line);
  }
  return Number.isFinite(start) && Number.isFinite(end) ? { start, end } : null;
}

/** Every record of one step's log, in the order it was stored. */
export async function readStep(store: BuildStore, ref: StepRef): Promise<LogRecord[]> {
  const all: LogRecord[] = [];
  for (let cursor = 0; ;) {
    const { records, next } = await store.read(ref, cursor);
    if (records.length === 0) return all;
    all.push(...records);
    cursor = next;
  }
}

/** Every command's span of one of our builds, from the build store. */
export async function spansFromLogs(logs: BuildStore, buildId: string, shape: Shape): Promise<CommandSpan[]> {
  const spans: CommandSpan[] = [];
  for (let i = 0; i < shape.stages; i++) {
    for (let j = 0; j < shape.steps; j++) {
      const span = spanFromLines(
        (await readStep(logs, { buildId, stage: stageName(i), step: stepName(j) })).map((r) => r.l),
      );
      if (span) spans.push({ stage: i, step: j, ...span });
    }
  }
  return spans;
}

/** Figures of one build from its command spans: first command, gaps between stages. */
export function spanFigures(
  spans: CommandSpan[],
  startedAt: number,
  shape: Shape,
): { firstCommand: number; gaps: number[] } {
  const gaps: number[] = [];
  for (let i = 1; i < shape.stages; i++) {
    const prev = spans.filter((s) => s.stage === i - 1);
    const next = spans.filter((s) => s.stage === i);
    if (prev.length && next.length)
      gaps.push(Math.min(...next.map((s) => s.start)) - Math.max(...prev.map((s) => s.end)));
  }
  return { firstCommand: Math.min(...spans.map((s) => s.start)) - startedAt, gaps };
}

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const { TimeoutType } = proto.temporal.api.enums.v1;

/** Timeouts in histories, by kind. */
export interface TimeoutCounts {
  /** A workflow task a worker took and did not answer in time (start-to-close). */
  workflowTask: number;
  /** A workflow task its worker's sticky queue held too long, handed to any worker (schedule-to-start). */
  sticky: number;
  activity: number;
  childWorkflow: number;
}

export const noTimeouts = (): TimeoutCounts => ({ workflowTask: 0, sticky: 0, activity: 0, childWorkflow: 0 });

const TIMEOUT_KINDS = Object.keys(noTimeouts()) as (keyof TimeoutCounts)[];

export function addTimeouts(into: TimeoutCounts, more: TimeoutCounts): TimeoutCounts {
  for (const kind of TIMEOUT_KINDS) into[kind] += more[kind];
  return into;
}

export const totalTimeouts = (t: TimeoutCounts): number => TIMEOUT_KINDS.reduce((n, kind) => n + t[kind], 0);

export function describeTimeouts(t: TimeoutCounts): string {
  return (
    `${totalTimeouts(t)} (workflow task start-to-close ${t.workflowTask}, sticky queue schedule-to-start ${t.sticky}, ` +
    `activity ${t.activity}, child workflow ${t.childWorkflow})`
  );
}

export interface HistoryFigures {
  events: number;
  timeouts: TimeoutCounts;
  /** Per step: the parent asking for the step's workflow -> its command's activity started. */
  scheduledToCommand: number[];
}

const eventTime = (e: HistoryEvent): number => {
  const t = e.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : NaN;
};

/** Events, timeouts and scheduling delays of a build and its step workflows. */
export async function historyFigures(client: Client, buildId: string, shape: Shape): Promise<HistoryFigures> {
  const build = (await client.workflow.getHandle(buildId).fetchHistory()).events ?? [];
  const initiated = new Map<string, number>();
  for (const e of build) {
    const a = e.startChildWorkflowExecutionInitiatedEventAttributes;
    if (a?.workflowId) initiated.set(a.workflowId, eventTime(e));
  }
  let events = build.length;
  const timeouts = countTimeouts(build);
  const scheduledToCommand: number[] = [];
  for (let i = 0; i < shape.stages; i++) {
    for (let j = 0; j < shape.steps; j++) {
      const id = stepWorkflowId(buildId, stageName(i), stepName(j));
      const history = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
      events += history.length;
      addTimeouts(timeouts, countTimeouts(history));
      const scheduled = new Map<number, string>();
      for (const e of history) {
        const s = e.activityTaskScheduledEventAttributes;
        if (s) scheduled.set(Number(e.eventId), s.activityType?.name ?? '');
        const started = e.activityTaskStartedEventAttributes;
        if (started && scheduled.get(Number(started.scheduledEventId)) === 'runCommand') {
          scheduledToCommand.push(eventTime(e) - (initiated.get(id) ?? NaN));
        }
      }
    }
  }
  return { events, timeouts, scheduledToCommand };
}

function countTimeouts(history: HistoryEvent[]): TimeoutCounts {
  const counts = noTimeouts();
  for (const e of history) {
    const task = e.workflowTaskTimedOutEventAttributes;
    if (task) {
      if (task.timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START) counts.sticky++;
      else counts.workflowTask++;
    }
    if (e.activityTaskTimedOutEventAttributes) counts.activity++;
    if (e.childWorkflowExecutionTimedOutEventAttributes) counts.childWorkflow++;
  }
  return counts;
}
