// Runs the step's command in its pod and streams its output, line by line, into the
// log store. The command runs detached in the container (see detached-command.ts): a
// retried attempt, after a dropped connection or a worker crash, re-attaches to the
// command already running, from the last stored line, and never starts it again.
import { activityInfo, cancellationSignal } from '@temporalio/activity';
import { followCommandLine, RUN_STATE_MOUNT, type StreamOffsets } from '../src/command/detached-command.ts';
import { FollowerProtocolError, FollowFrameParser, type FollowFrame } from '../src/command/follow-frames.ts';
import { ExecConnectionLost, ExecRejected } from '../src/kube/pod-exec.ts';
import { LineSplitter, type Line } from '../src/logs/line-splitter.ts';
import { applyWorkerSettingsToExec } from '../src/pod/apply-worker-settings.ts';
import type { StepLogWriter } from '../src/logs/log-store.ts';
import type { RunCommandInput, RunCommandOutput } from '../workflows/types.ts';
import type { ActivityDeps } from './deps.ts';
import { FailureType, permanentFailure } from './failures.ts';
import { keepHeartbeating } from './heartbeat.ts';

const TAIL_LINES = 20;
const REATTACH_DELAY_MS = 1000;

export function runCommandActivity(deps: ActivityDeps) {
  return async function runCommand(input: RunCommandInput): Promise<RunCommandOutput> {
    const fromSecret = input.secretName && deps.secrets ? Object.values((await deps.secrets.read(input.secretName)) ?? {}) : [];
    const writer = deps.logs.openWriter({ buildId: input.buildId, stage: input.stage, step: input.step }, [...input.secrets, ...fromSecret]);
    const last = activityInfo().heartbeatDetails as Partial<StreamOffsets> | undefined;
    // Both the local store and the last heartbeat hold only complete lines: resume at the furthest.
    const offsets: StreamOffsets = {
      out: Math.max(writer.stored.out, last?.out ?? 0),
      err: Math.max(writer.stored.err, last?.err ?? 0),
    };
    const tail = new Tail(TAIL_LINES);
    const stopHeartbeat = keepHeartbeating(() => ({ ...offsets }));
    const signal = cancellationSignal();
    try {
      for (let session = 0; ; session++) {
        const outcome = await followOnce(deps, input, writer, offsets, tail, signal, session);
        if (outcome.exitCode !== null) return { exitCode: outcome.exitCode, logTail: tail.lines() };
        if (signal.aborted) throw signal.reason;
        if (outcome.lost) {
          const pod = await deps.pods.get(input.pod.name).catch(() => undefined);
          if (pod === null || (pod && pod.metadata?.uid !== input.pod.uid)) {
            throw permanentFailure(`pod ${input.pod.name} disappeared while its command was running`, FailureType.PodGone);
          }
          await sleep(REATTACH_DELAY_MS);
        }
      }
    } finally {
      stopHeartbeat();
    }
  };
}

interface SessionOutcome {
  exitCode: number | null;
  /** The connection dropped (as opposed to the follow session ending normally). */
  lost: boolean;
}

async function followOnce(
  deps: ActivityDeps, input: RunCommandInput, writer: StepLogWriter, offsets: StreamOffsets,
  tail: Tail, signal: AbortSignal, session: number,
): Promise<SessionOutcome> {
  const splitters = { out: new LineSplitter(offsets.out), err: new LineSplitter(offsets.err) };
  const parser = new FollowFrameParser();
  let exitCode: number | null = null;
  let followerErrors = '';
  const store = (stream: 'out' | 'err', lines: Line[]): void => {
    for (const r of writer.write(stream, lines)) tail.push(r.l);
    offsets[stream] = splitters[stream].committedOffset;
  };
  const onFrame = (frame: FollowFrame): void => {
    switch (frame.kind) {
      case 'out':
      case 'err':
        store(frame.kind, splitters[frame.kind].push(frame.data));
        break;
      case 'started':
        if (!frame.fresh && session === 0) writer.write('sys', [{ text: 're-attached to the running command' }]);
        break;
      case 'exit':
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
  const exec = deps.podSettings ? applyWorkerSettingsToExec({ command: input.command, shell: input.shell }, deps.podSettings) : input;
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
      signal,
    });
    if (exitCode !== null) return { exitCode, lost: false };
    // Killed by a signal (e.g. its pod is being deleted): like a dropped connection,
    // the caller checks on the pod and re-attaches.
    if (followerExit > 128) return { exitCode: null, lost: true };
    if (followerExit !== 0) {
      throw permanentFailure(
        `could not run the step's command in ${input.pod.name}/${input.container} (exit ${followerExit})${followerErrors ? `: ${followerErrors.trim()}` : ''}`,
        FailureType.CommandStartFailed,
      );
    }
    return { exitCode: null, lost: false };
  } catch (err) {
    if (exitCode !== null) return { exitCode, lost: false };
    if (err instanceof ExecConnectionLost) return { exitCode: null, lost: true };
    if (err instanceof FollowerProtocolError) {
      throw permanentFailure(
        `the command follower in ${input.pod.name}/${input.container} broke its protocol (${err.message}); `
          + `does the step's shell print output of its own, or is the pod's state volume full?`,
        FailureType.FollowerProtocolError,
      );
    }
    if (err instanceof ExecRejected) {
      throw permanentFailure(`could not run the step's command in ${input.pod.name}/${input.container}: ${err.message}`, FailureType.CommandStartFailed);
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
    this.buffer.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
    if (this.buffer.length > this.size) this.buffer.shift();
  }

  lines(): string[] {
    return [...this.buffer];
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
