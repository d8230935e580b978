// Runs the step's command in its pod and streams its output, line by line, into the
// build store. The command runs detached in the container (see detached-command.ts): a
// retried attempt, after a dropped connection or a worker crash, re-attaches to the
// command already running, from the last stored line, and never starts it again.
// While the store is away, lines wait in memory; past the step log's bound, reading
// pauses (the output stays in the pod) and resumes from the same offsets when it returns.
import { activityInfo, cancellationSignal } from '@temporalio/activity';
import { followCommandLine, type StreamOffsets } from '../src/command/detached-command.ts';
import { FollowerProtocolError, FollowFrameParser, type FollowFrame } from '../src/command/follow-frames.ts';
import { ExecConnectionLost, ExecRejected } from '../src/kube/pod-exec.ts';
import { boundLogTail, clipBytes, PayloadLimits } from '../src/limits/payload-bytes.ts';
import type { Line } from '../src/logs/line-splitter.ts';
import { MaskedLineSplitter } from '../src/logs/masked-line-splitter.ts';
import { maskText } from '../src/logs/secret-mask.ts';
import { GIT_URL_KEY, SECRET_ENV_PREFIX } from '../src/plan/build-plan.ts';
import { urlCredentials } from '../src/source/git-source.ts';
import { applyWorkerSettingsToExec } from '../src/pod/apply-worker-settings.ts';
import { RUN_STATE_MOUNT } from '../src/pod/command-state-volume.ts';
import type { StepLog } from '../src/store/step-log.ts';
import type { RunCommandInput, RunCommandOutput } from '../workflows/types.ts';
import type { ActivityDeps } from './deps.ts';
import { FailureType, permanentFailure } from './failures.ts';
import { keepHeartbeating } from './heartbeat.ts';
import { waitUntilReady } from './await-pod-ready.ts';

const TAIL_LINES = 20;
const REATTACH_DELAY_MS = 1000;

export function runCommandActivity(deps: ActivityDeps) {
  return async function runCommand(input: RunCommandInput): Promise<RunCommandOutput> {
    const last = activityInfo().heartbeatDetails as (Partial<StreamOffsets> & { readyAt?: number }) | undefined;
    // Until the log is open, heartbeats repeat the last ones: the offsets stay where they were.
    let writer: StepLog | null = null;
    // Once the pod was ready, a retry does not wait for it again, and the command's budget
    // counts from then.
    let readyAt = last?.readyAt;
    const stopHeartbeat = keepHeartbeating(() => ({
      ...(writer ? writer.durable : { out: last?.out ?? 0, err: last?.err ?? 0 }),
      ...(readyAt !== undefined ? { readyAt } : {}),
    }));
    const budget = new AbortController();
    let overBudget: NodeJS.Timeout | undefined;
    const signal = AbortSignal.any([cancellationSignal(), budget.signal]);
    try {
      if (input.awaitReady) {
        if (readyAt === undefined) {
          const log = { buildId: input.buildId, stage: input.stage, step: input.step };
          await waitUntilReady(deps, { pod: input.pod, pendingSeconds: input.awaitReady.pendingSeconds, log });
          readyAt = Date.now();
        }
        const { runSeconds } = input.awaitReady;
        if (runSeconds !== undefined) {
          const reason = permanentFailure(
            `the command ran longer than its budget of ${runSeconds} s`,
            FailureType.RunBudgetExceeded,
          );
          overBudget = setTimeout(() => budget.abort(reason), Math.max(0, readyAt + runSeconds * 1000 - Date.now()));
        }
      }
      const masks = [...input.secrets, ...(input.secretName ? await secretValues(deps, input.secretName) : [])];
      // Masked in the stream, before it becomes lines (see masked-line-splitter.ts).
      writer = await openStepLog(deps, input, [], signal);
      // Both the store and the last heartbeat hold only stored lines: resume at the furthest.
      const offsets: StreamOffsets = {
        out: Math.max(writer.stored.out, last?.out ?? 0),
        err: Math.max(writer.stored.err, last?.err ?? 0),
      };
      const tail = new Tail(TAIL_LINES);
      for (let session = 0; ; session++) {
        const outcome = await followOnce(deps, input, writer, offsets, tail, signal, session, masks);
        if (outcome.exitCode !== null) {
          // A cancelled step does not wait for a store that is away (its lines still go
          // to the store when it answers).
          await writer.finish(signal);
          return { exitCode: outcome.exitCode, logTail: tail.lines() };
        }
        if (signal.aborted) throw signal.reason;
        if (outcome.paused) {
          await Promise.race([writer.whenRoom(), aborted(signal)]);
          continue;
        }
        if (outcome.lost) {
          const pod = await deps.pods.get(input.pod.name).catch(() => undefined);
          if (pod === null || (pod && pod.metadata?.uid !== input.pod.uid)) {
            throw permanentFailure(
              `pod ${input.pod.name} disappeared while its command was running`,
              FailureType.PodGone,
            );
          }
          await sleep(REATTACH_DELAY_MS);
        }
      }
    } finally {
      clearTimeout(overBudget);
      stopHeartbeat();
    }
  };
}

interface SessionOutcome {
  exitCode: number | null;
  /** The connection dropped (as opposed to the follow session ending normally). */
  lost: boolean;
  /** Reading stopped because the step log holds as much as it may while the store is away. */
  paused?: boolean;
}

const OPEN_RETRY_MS = 1000;

/** Opens the step's log, waiting (heartbeating) while the store is away. */
async function openStepLog(
  deps: ActivityDeps,
  input: RunCommandInput,
  secrets: string[],
  signal: AbortSignal,
): Promise<StepLog> {
  let told = false;
  for (;;) {
    try {
      return await deps.store.openStep(
        { buildId: input.buildId, stage: input.stage, step: input.step },
        { ...deps.stepLog, secrets },
      );
    } catch (err) {
      if (!told)
        deps.stepLog?.onTrouble?.(
          `step ${input.stage}/${input.step}: cannot open its log in ${deps.store.location} (${String(err)}); waiting for the store`,
        );
      told = true;
      await Promise.race([sleep(OPEN_RETRY_MS), aborted(signal)]);
    }
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

async function followOnce(
  deps: ActivityDeps,
  input: RunCommandInput,
  writer: StepLog,
  offsets: StreamOffsets,
  tail: Tail,
  signal: AbortSignal,
  session: number,
  masks: string[],
): Promise<SessionOutcome> {
  const splitters = {
    out: new MaskedLineSplitter(offsets.out, masks),
    err: new MaskedLineSplitter(offsets.err, masks),
  };
  const parser = new FollowFrameParser();
  let exitCode: number | null = null;
  let followerErrors = '';
  // Aborted when the step log is full: this session ends, the next resumes at `offsets`.
  const pause = new AbortController();
  const store = (stream: 'out' | 'err', lines: Line[]): void => {
    if (pause.signal.aborted) return;
    for (const r of writer.write(stream, lines)) tail.push(r.l);
    offsets[stream] = splitters[stream].committedOffset;
    if (writer.full) pause.abort();
  };
  const onFrame = (frame: FollowFrame): void => {
    switch (frame.kind) {
      case 'out':
      case 'err':
        store(frame.kind, splitters[frame.kind].push(frame.data));
        break;
      case 'started':
        if (!frame.fresh && session === 0) writer.note('re-attached to the running command');
        break;
      case 'exit':
        if (pause.signal.aborted) break; // read again, whole, after the pause
        store('out', splitters.out.flush());
        store('err', splitters.err.flush());
        exitCode = frame.code;
        break;
      case 'keepalive':
      case 'expired':
        break;
    }
  };
  // The worker's docker builder decides the command as it decided the pod (create-pod).
  const exec = deps.podSettings
    ? applyWorkerSettingsToExec({ command: input.command, shell: input.shell }, deps.podSettings)
    : input;
  const command = followCommandLine({
    // Keyed by the pod's uid: a pod without the state volume still never sees another's state.
    stateDir: `${RUN_STATE_MOUNT}/${input.pod.uid}`,
    offsets,
    sessionSeconds: deps.followSessionSeconds ?? 300,
    command: exec.command,
    shell: exec.shell,
  });
  try {
    const followerExit = await deps.pods.exec(input.pod.name, input.container, command, {
      onStdout: (chunk) => parser.push(chunk).forEach(onFrame),
      onStderr: (chunk) => (followerErrors += chunk.toString('utf8')),
      signal: AbortSignal.any([signal, pause.signal]),
    });
    if (exitCode !== null) return { exitCode, lost: false };
    if (pause.signal.aborted && !signal.aborted) return { exitCode: null, lost: false, paused: true };
    // Killed by a signal (e.g. its pod is being deleted): like a dropped connection,
    // the caller checks on the pod and re-attaches.
    if (followerExit > 128) return { exitCode: null, lost: true };
    if (followerExit !== 0) {
      throw permanentFailure(
        `could not run the step's command in ${input.pod.name}/${input.container} (exit ${followerExit})${followerErrors ? `: ${maskText(followerErrors.trim(), masks)}` : ''}`,
        FailureType.CommandStartFailed,
      );
    }
    return { exitCode: null, lost: false };
  } catch (err) {
    if (exitCode !== null) return { exitCode, lost: false };
    if (pause.signal.aborted && !signal.aborted) return { exitCode: null, lost: false, paused: true };
    if (err instanceof ExecConnectionLost) return { exitCode: null, lost: true };
    if (err instanceof FollowerProtocolError) {
      throw permanentFailure(
        `the command follower in ${input.pod.name}/${input.container} broke its protocol (${err.message}); ` +
          `does the step's shell print output of its own, or is the pod's state volume full?`,
        FailureType.FollowerProtocolError,
      );
    }
    if (err instanceof ExecRejected) {
      throw permanentFailure(
        `could not run the step's command in ${input.pod.name}/${input.container}: ${err.message}`,
        FailureType.CommandStartFailed,
      );
    }
    throw err;
  }
}

class Tail {
  private readonly buffer: string[] = [];
  private readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  push(line: string): void {
    this.buffer.push(clipBytes(line, PayloadLimits.logTailLineBytes));
    if (this.buffer.length > this.size) this.buffer.shift();
  }

  /** Within the tail's byte budget (it goes into the step's result, a Temporal payload). */
  lines(): string[] {
    return boundLogTail(this.buffer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The values to mask from the build's Secret: its secret values and a git URL's credentials. */
async function secretValues(deps: ActivityDeps, name: string): Promise<string[]> {
  const stored = (await deps.secrets?.read(name)) ?? {};
  return Object.entries(stored).flatMap(([key, value]) =>
    key.startsWith(SECRET_ENV_PREFIX) ? [value] : key === GIT_URL_KEY ? urlCredentials(value) : [],
  );
}
