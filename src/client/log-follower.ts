// Follows a build's logs in the log store as the worker writes them, step by step.
import type { LogRecord } from '../logs/log-record.ts';
import type { LogStore, StepRef } from '../logs/log-store.ts';

export type RecordSink = (step: StepRef, record: LogRecord) => void;

export class LogFollower {
  private readonly offsets = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly store: LogStore;
  private readonly buildId: string;
  private readonly sink: RecordSink;
  private readonly onlyStep: string | null;

  constructor(store: LogStore, buildId: string, sink: RecordSink, onlyStep: string | null = null) {
    this.store = store;
    this.buildId = buildId;
    this.sink = sink;
    this.onlyStep = onlyStep;
  }

  /** Prints what is new since the last call; returns how many records that was. */
  poll(): number {
    let count = 0;
    for (const ref of this.store.steps(this.buildId)) {
      if (this.onlyStep && ref.step !== this.onlyStep && `${ref.stage}/${ref.step}` !== this.onlyStep) continue;
      const key = `${ref.stage}\u0000${ref.step}`;
      const { records, next } = this.store.read(ref, this.offsets.get(key) ?? 0);
      this.offsets.set(key, next);
      for (const record of records) this.sink(ref, record);
      count += records.length;
    }
    return count;
  }

  start(intervalMs = 150): void {
    this.timer ??= setInterval(() => this.poll(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.poll();
  }
}

/** All of a build's records, every step merged in time order. */
export function readAllRecords(store: LogStore, buildId: string, onlyStep: string | null = null): { step: StepRef; record: LogRecord }[] {
  const all: { step: StepRef; record: LogRecord }[] = [];
  new LogFollower(store, buildId, (step, record) => all.push({ step, record }), onlyStep).poll();
  return all.sort((a, b) => a.record.t - b.record.t);
}
