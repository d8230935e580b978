// Persists each build's log lines per step on disk, so `wharf-temporal logs` works during
// a build, after it and after a worker restart. Log lines never go into workflow history.
//
// Layout: <root>/<build id>/<stage>/<step>.jsonl
import { appendFileSync, mkdirSync, readdirSync, readFileSync, existsSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { parseLogRecords, type LogRecord, type LogStream } from './log-record.ts';

export interface StepRef {
  buildId: string;
  stage: string;
  step: string;
}

export class LogStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  stepFile(ref: StepRef): string {
    return join(this.root, safe(ref.buildId), safe(ref.stage), `${safe(ref.step)}.jsonl`);
  }

  /** Opens a step's log for appending; it knows what was stored before (resume offsets). */
  openWriter(ref: StepRef, secrets: string[] = []): StepLogWriter {
    return new StepLogWriter(this.stepFile(ref), secrets);
  }

  /** The steps of a build that have logs, as [stage, step] pairs. */
  steps(buildId: string): StepRef[] {
    const dir = join(this.root, safe(buildId));
    if (!existsSync(dir)) return [];
    const refs: StepRef[] = [];
    for (const stage of readdirSync(dir)) {
      if (!statSync(join(dir, stage)).isDirectory()) continue;
      for (const file of readdirSync(join(dir, stage))) {
        if (file.endsWith('.jsonl')) refs.push({ buildId, stage: unsafe(stage), step: unsafe(file.slice(0, -'.jsonl'.length)) });
      }
    }
    return refs;
  }

  /** Reads a step's records from byte `from`; returns them and the offset to continue at. */
  read(ref: StepRef, from = 0): { records: LogRecord[]; next: number } {
    const file = this.stepFile(ref);
    if (!existsSync(file)) return { records: [], next: from };
    const size = statSync(file).size;
    if (size <= from) return { records: [], next: from };
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(size - from);
      readSync(fd, buf, 0, buf.length, from);
      // Only hand out whole lines; a line being written is read next time.
      const end = buf.lastIndexOf(0x0a) + 1;
      return { records: parseLogRecords(buf.subarray(0, end).toString('utf8')), next: from + end };
    } finally {
      closeSync(fd);
    }
  }
}

export class StepLogWriter {
  readonly file: string;
  private readonly secrets: string[];
  /** Offsets of stdout/stderr already stored: lines ending at or before them are duplicates. */
  readonly stored: { out: number; err: number };

  constructor(file: string, secrets: string[]) {
    this.file = file;
    this.secrets = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
    mkdirSync(join(file, '..'), { recursive: true });
    this.stored = { out: 0, err: 0 };
    if (existsSync(file)) {
      for (const r of parseLogRecords(readFileSync(file, 'utf8'))) {
        if ((r.s === 'out' || r.s === 'err') && r.o !== undefined) this.stored[r.s] = Math.max(this.stored[r.s], r.o);
      }
    }
  }

  /** Appends lines of one stream; lines already stored by an earlier attempt are skipped. */
  write(stream: LogStream, lines: { text: string; endOffset?: number }[], now = Date.now()): LogRecord[] {
    const fresh: LogRecord[] = [];
    for (const line of lines) {
      if (stream !== 'sys' && line.endOffset !== undefined) {
        if (line.endOffset <= this.stored[stream]) continue;
        this.stored[stream] = line.endOffset;
      }
      const record: LogRecord = { t: now, s: stream, l: this.mask(line.text) };
      if (stream !== 'sys' && line.endOffset !== undefined) record.o = line.endOffset;
      fresh.push(record);
    }
    if (fresh.length > 0) appendFileSync(this.file, fresh.map((r) => JSON.stringify(r)).join('\n') + '\n');
    return fresh;
  }

  mask(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }
}

// Stage and step names become folder and file names: keep them readable but harmless.
function safe(name: string): string {
  return encodeURIComponent(name).replace(/\./g, '%2E');
}

function unsafe(name: string): string {
  return decodeURIComponent(name);
}
