// Follows a build's logs in the build store as workers write them, step by step: every
// step's lines once and in order. New lines are read when the store says they came
// (PostgreSQL's notifications; a folder is looked at often).
import type { LogRecord } from '../logs/log-record.ts';
import type { BuildStore, StepRef } from '../store/build-store.ts';
import { describeStoreError } from '../store/store-settings.ts';

export type RecordSink = (step: StepRef, record: LogRecord) => void;

export class LogFollower {
  private readonly cursors = new Map<string, number>();
  private readonly store: BuildStore;
  private readonly buildId: string;
  private readonly sink: RecordSink;
  private readonly onlyStep: string | null;
  private readonly onError: (message: string) => void;
  private polling: Promise<number> | null = null;
  private again = false;
  private unwatch: (() => Promise<void>) | null = null;
  private failing = false;

  /** `onError` hears once when the store cannot be read, and again when it can. */
  constructor(
    store: BuildStore,
    buildId: string,
    sink: RecordSink,
    onlyStep: string | null = null,
    onError: (message: string) => void = () => {},
  ) {
    this.store = store;
    this.buildId = buildId;
    this.sink = sink;
    this.onlyStep = onlyStep;
    this.onError = onError;
  }

  /** Hands out what is new since the last call; returns how many records that was. */
  poll(): Promise<number> {
    if (this.polling) {
      this.again = true;
      return this.polling;
    }
    this.polling = (async () => {
      let count = 0;
      try {
        do {
          this.again = false;
          count += await this.readNew();
        } while (this.again);
        if (this.failing) this.onError(`the build store at ${this.store.location} answers again`);
        this.failing = false;
      } catch (err) {
        if (!this.failing)
          this.onError(
            `cannot read the logs of ${this.buildId} from the build store at ${this.store.location}: ${describeStoreError(err)}`,
          );
        this.failing = true;
      } finally {
        this.polling = null;
      }
      return count;
    })();
    return this.polling;
  }

  async start(): Promise<void> {
    this.unwatch ??= await this.store.watch(this.buildId, () => void this.poll());
    await this.poll();
  }

  /** Stops following after reading what is there. */
  async stop(): Promise<void> {
    await this.unwatch?.();
    this.unwatch = null;
    while (this.polling) await this.polling;
    while ((await this.poll()) > 0);
  }

  private async readNew(): Promise<number> {
    let count = 0;
    for (const ref of await this.store.steps(this.buildId)) {
      if (this.onlyStep && ref.step !== this.onlyStep && `${ref.stage}/${ref.step}` !== this.onlyStep) continue;
      const key = `${ref.stage}\u0000${ref.step}`;
      for (;;) {
        const { records, next } = await this.store.read(ref, this.cursors.get(key) ?? 0);
        this.cursors.set(key, next);
        for (const record of records) this.sink({ buildId: ref.buildId, stage: ref.stage, step: ref.step }, record);
        count += records.length;
        if (records.length === 0) break;
      }
    }
    return count;
  }
}

/** All of a build's records, every step merged in time order. */
export async function readAllRecords(
  store: BuildStore,
  buildId: string,
  onlyStep: string | null = null,
): Promise<{ step: StepRef; record: LogRecord }[]> {
  const all: { step: StepRef; record: LogRecord }[] = [];
  let failure: string | null = null;
  await new LogFollower(
    store,
    buildId,
    (step, record) => all.push({ step, record }),
    onlyStep,
    (message) => (failure ??= message),
  ).poll();
  if (failure) throw new Error(failure);
  return all.sort((a, b) => a.record.t - b.record.t);
}
