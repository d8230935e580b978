// One step's log as the worker writes it, the same over every store: secrets masked,
// lines an earlier attempt stored skipped (by stream offset), a size cap stated in the log
// when hit, and writes queued in order and retried while the store does not answer, so a
// store that goes away mid-build never fails the step or loses a line. What waits in
// memory is bounded: past the bound `full` is true and the reader of the command's output
// pauses (the output stays in the pod and is read again from the stored offsets). A
// cancelled step stops waiting for the store at once; its lines are still written later.
import type { LogRecord, LogStream } from '../logs/log-record.ts';

/** What a store holds of one step: stream offsets, stored text bytes, whether it was cut. */
export interface StepLogState {
  out: number;
  err: number;
  bytes: number;
  cut: boolean;
}

/** What a store implements for one step's log. */
export interface StepSink {
  /** The state stored when the log was opened. */
  readonly opened: StepLogState;
  /**
   * Stores `records` in order and moves the step to `state`, in one write. A store
   * shared by several writers skips out/err records at or below its stored offsets.
   */
  append(records: LogRecord[], state: StepLogState): Promise<void>;
  finish(): Promise<void>;
}

export interface StepLogOptions {
  /** Values masked as *** in every line. */
  secrets?: string[];
  /** Bytes of output text stored per step; then the log is cut, saying so. */
  maxBytes?: number;
  /** Bytes kept in memory while the store does not answer before `full` turns true. */
  bufferBytes?: number;
  /** Told when the store stops answering and when it answers again (the worker's own log). */
  onTrouble?: (message: string) => void;
}

export const DEFAULT_STEP_LOG_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_BUFFER_BYTES = 16 * 1024 * 1024;
const BATCH_RECORDS = 2000;
const RETRY_MS = [100, 250, 500, 1000];

interface Pending {
  records: LogRecord[];
  state: StepLogState;
  bytes: number;
}

export class StepLog {
  /** Offsets of stdout/stderr stored before this writer opened: where a re-attach resumes. */
  readonly stored: { out: number; err: number };
  /** Offsets the store has acknowledged so far (for heartbeats: never ahead of the store). */
  readonly durable: { out: number; err: number };
  private readonly sink: StepSink;
  private readonly secrets: string[];
  private readonly maxBytes: number;
  private readonly bufferBytes: number;
  private readonly onTrouble: (message: string) => void;
  private readonly location: string;
  private state: StepLogState;
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private draining: Promise<void> | null = null;
  private troubleSince: number | null = null;
  private fullNoted = false;
  private roomWaiters: (() => void)[] = [];
  private finishing: Promise<void> | null = null;

  constructor(sink: StepSink, location: string, options: StepLogOptions = {}) {
    this.sink = sink;
    this.location = location;
    this.secrets = (options.secrets ?? []).filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
    this.maxBytes = options.maxBytes ?? DEFAULT_STEP_LOG_MAX_BYTES;
    this.bufferBytes = options.bufferBytes ?? DEFAULT_BUFFER_BYTES;
    this.onTrouble = options.onTrouble ?? (() => {});
    this.state = { ...sink.opened };
    this.stored = { out: sink.opened.out, err: sink.opened.err };
    this.durable = { ...this.stored };
  }

  /** More is waiting in memory than the bound allows: stop reading until `whenRoom`. */
  get full(): boolean {
    return this.queuedBytes >= this.bufferBytes;
  }

  /** Resolves once what waits in memory is below half the bound. */
  whenRoom(): Promise<void> {
    if (this.queuedBytes < this.bufferBytes / 2) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /**
   * Queues lines of one stream for storing; lines an earlier attempt stored are skipped.
   * Returns every new line, masked (also those past the size cap, which are not stored).
   */
  write(stream: LogStream, lines: { text: string; endOffset?: number }[], now = Date.now()): LogRecord[] {
    const fresh: LogRecord[] = [];
    const keep: LogRecord[] = [];
    for (const line of lines) {
      const record: LogRecord = { t: now, s: stream, l: this.mask(line.text) };
      if (stream !== 'sys' && line.endOffset !== undefined) {
        if (line.endOffset <= this.state[stream]) continue;
        this.state[stream] = line.endOffset;
        record.o = line.endOffset;
      }
      fresh.push(record);
      if (stream === 'sys') {
        keep.push(record);
        continue;
      }
      const size = Buffer.byteLength(record.l);
      if (!this.state.cut && this.state.bytes + size > this.maxBytes) {
        this.state.cut = true;
        keep.push({
          t: now,
          s: 'sys',
          l: `log cut: this step's output reached the limit of ${formatBytes(this.maxBytes)} per step (WHARF_TEMPORAL_STEP_LOG_LIMIT); later lines are not stored`,
        });
      }
      if (this.state.cut) continue;
      this.state.bytes += size;
      keep.push(record);
    }
    if (fresh.length > 0) this.enqueue(keep);
    return fresh;
  }

  /** A line from wharf-temporal itself about the step. */
  note(text: string, now = Date.now()): void {
    this.write('sys', [{ text }], now);
  }

  mask(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }

  /**
   * Resolves once everything written so far is stored (waiting as long as the store is
   * away). An aborted `signal` ends the wait (rejecting with its reason), not the writing:
   * what waits in memory is still written when the store answers, while the worker lives.
   */
  flush(signal?: AbortSignal): Promise<void> {
    return untilAborted(this.flushAll(), signal);
  }

  /** Flushes, then marks the step's log finished; `signal` ends the wait as for `flush`. */
  finish(signal?: AbortSignal): Promise<void> {
    this.finishing ??= this.finishAll();
    return untilAborted(this.finishing, signal);
  }

  private async flushAll(): Promise<void> {
    while (this.queue.length > 0 || this.draining) {
      this.draining ??= this.drain();
      await this.draining;
    }
  }

  private async finishAll(): Promise<void> {
    await this.flushAll();
    for (let attempt = 0; ; attempt++) {
      try {
        await this.sink.finish();
        return;
      } catch (err) {
        this.troubled(err);
        await sleep(RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!);
      }
    }
  }

  private enqueue(records: LogRecord[]): void {
    const bytes = records.reduce((sum, r) => sum + r.l.length, 0);
    this.queue.push({ records, state: { ...this.state }, bytes });
    this.queuedBytes += bytes;
    this.noteIfFull();
    this.draining ??= this.drain();
  }

  private noteIfFull(): void {
    if (this.full && this.troubleSince !== null && !this.fullNoted) {
      this.fullNoted = true;
      const note: LogRecord = {
        t: Date.now(),
        s: 'sys',
        l: `the build store is away and ${formatBytes(this.queuedBytes)} of this step's lines wait in memory (the limit): reading the command's output pauses until it returns; no line is lost`,
      };
      this.queue.push({ records: [note], state: { ...this.state }, bytes: note.l.length });
      this.onTrouble(`step ${this.location}: ${note.l}`);
    }
  }

  private async drain(): Promise<void> {
    let attempt = 0;
    try {
      while (this.queue.length > 0) {
        const count = this.batchSize();
        const batch = this.queue.slice(0, count);
        const records = batch.flatMap((p) => p.records);
        const state = batch[batch.length - 1]!.state;
        try {
          await this.sink.append(records, state);
        } catch (err) {
          this.troubled(err);
          await sleep(RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]!);
          continue;
        }
        attempt = 0;
        this.queue.splice(0, count);
        this.queuedBytes -= batch.reduce((sum, p) => sum + p.bytes, 0);
        this.durable.out = state.out;
        this.durable.err = state.err;
        if (this.troubleSince !== null) this.recovered();
        if (this.queuedBytes < this.bufferBytes / 2) {
          this.fullNoted = false;
          for (const wake of this.roomWaiters.splice(0)) wake();
        }
      }
    } finally {
      this.draining = null;
    }
  }

  private batchSize(): number {
    let records = 0;
    let count = 0;
    for (const pending of this.queue) {
      if (count > 0 && records + pending.records.length > BATCH_RECORDS) break;
      records += pending.records.length;
      count++;
    }
    return count;
  }

  private troubled(err: unknown): void {
    if (this.troubleSince !== null) return;
    this.troubleSince = Date.now();
    const reason = err instanceof Error ? err.message : String(err);
    this.onTrouble(
      `step ${this.location}: the build store does not answer (${reason}); its lines wait in memory until it does`,
    );
    const note: LogRecord = {
      t: Date.now(),
      s: 'sys',
      l: `the build store did not answer (${reason}); this step's lines waited in memory until it did`,
    };
    this.queue.push({ records: [note], state: { ...this.state }, bytes: note.l.length });
    this.noteIfFull();
  }

  private recovered(): void {
    const seconds = Math.round((Date.now() - this.troubleSince!) / 100) / 10;
    this.troubleSince = null;
    this.onTrouble(`step ${this.location}: the build store answers again after ${seconds}s`);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${bytes} bytes`;
}

/** `work`, or the signal's reason once it aborts (`work` goes on either way). */
function untilAborted(work: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(signal.reason as Error);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => {});
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
