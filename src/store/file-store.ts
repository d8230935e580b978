// The build store as a local folder: the embedded default for one machine (the worker
// and the CLI share the folder). Private to its user (folders 0700, files 0600); every
// name maps to a bounded, safe file name; all I/O is asynchronous, and opening a step's
// log reads only what was written since its state was last saved.
//
// Layout: <root>/<build>/build.json (the record), <root>/<build>/<stage>/<step>.jsonl (one
// JSON record per line) and <step>.state.json (the step's names, offsets and stored size).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseLogRecords, type LogRecord } from '../logs/log-record.ts';
import type { BuildQuery, BuildRecord, BuildStore, LogCursor, StepInfo, StepRef } from './build-store.ts';
import { StepLog, type StepLogOptions, type StepLogState, type StepSink } from './step-log.ts';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
/** Most a read hands out at once; the caller continues at `next`. */
const READ_CHUNK = 4 * 1024 * 1024;
/** How often a step's state file is saved while lines come in (re-opening reads what came after). */
const STATE_SAVE_MS = 2000;
const WATCH_MS = 150;

export function defaultLogRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WHARF_TEMPORAL_LOG_DIR) return env.WHARF_TEMPORAL_LOG_DIR;
  const state = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'wharf-temporal', 'logs');
}

/**
 * A name as a file name: its harmless characters (at most 40) for reading, then a hash
 * of the whole name, so every name fits any file system and no two names collide.
 */
export function safeFileName(name: string): string {
  const readable = name.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40);
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return `${readable}-${hash}`;
}

interface StepStateFile extends StepLogState {
  buildId: string;
  stage: string;
  step: string;
  /** Bytes of the log file covered by this state. */
  size: number;
  createdAt: number;
  finishedAt: number | null;
}

export class FileStore implements BuildStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  get location(): string {
    return this.root;
  }

  stepFile(ref: StepRef): string {
    return join(this.buildDir(ref.buildId), safeFileName(ref.stage), `${safeFileName(ref.step)}.jsonl`);
  }

  async openStep(ref: StepRef, options: StepLogOptions = {}): Promise<StepLog> {
    const file = this.stepFile(ref);
    await mkdir(this.root, { recursive: true, mode: DIR_MODE });
    await mkdir(join(file, '..'), { recursive: true, mode: DIR_MODE });
    const sink = await FileStepSink.open(file, ref);
    return new StepLog(sink, `${ref.stage}/${ref.step}`, options);
  }

  async steps(buildId: string): Promise<StepInfo[]> {
    const dir = this.buildDir(buildId);
    const found: (StepInfo & { createdAt: number })[] = [];
    for (const stage of await readdirOrEmpty(dir)) {
      for (const file of await readdirOrEmpty(join(dir, stage))) {
        if (!file.endsWith('.state.json')) continue;
        const state = await readJson<StepStateFile>(join(dir, stage, file));
        if (state)
          found.push({
            buildId,
            stage: state.stage,
            step: state.step,
            finishedAt: state.finishedAt,
            createdAt: state.createdAt,
          });
      }
    }
    return found.sort((a, b) => a.createdAt - b.createdAt).map(({ createdAt: _, ...info }) => info);
  }

  async read(ref: StepRef, cursor: LogCursor): Promise<{ records: LogRecord[]; next: LogCursor }> {
    let handle;
    try {
      handle = await open(this.stepFile(ref), 'r');
    } catch (err) {
      if (isNotFound(err)) return { records: [], next: cursor };
      throw err;
    }
    try {
      const { size } = await handle.stat();
      if (size <= cursor) return { records: [], next: cursor };
      const buf = Buffer.alloc(Math.min(size - cursor, READ_CHUNK));
      const { bytesRead } = await handle.read(buf, 0, buf.length, cursor);
      // Only whole lines; a line being written is read next time.
      const end = buf.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
      return { records: parseLogRecords(buf.subarray(0, end).toString('utf8')), next: cursor + end };
    } finally {
      await handle.close();
    }
  }

  async watch(_buildId: string, onChange: () => void): Promise<() => Promise<void>> {
    // A folder has no notifications that reach across processes reliably: look often.
    const timer = setInterval(onChange, WATCH_MS);
    return async () => clearInterval(timer);
  }

  async recordBuild(record: BuildRecord): Promise<void> {
    const dir = this.buildDir(record.buildId);
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    await writeAtomically(join(dir, 'build.json'), JSON.stringify(record));
  }

  async readBuild(buildId: string): Promise<BuildRecord | null> {
    return readJson<BuildRecord>(join(this.buildDir(buildId), 'build.json'));
  }

  async listBuilds(query: BuildQuery): Promise<BuildRecord[]> {
    const records: BuildRecord[] = [];
    for (const dir of await readdirOrEmpty(this.root)) {
      const record = await readJson<BuildRecord>(join(this.root, dir, 'build.json'));
      if (!record) continue;
      if (query.status && record.status !== query.status) continue;
      if (query.repository && record.repository !== query.repository) continue;
      records.push(record);
    }
    return records.sort((a, b) => b.startedAt - a.startedAt).slice(0, query.limit);
  }

  async deleteBuilds(before: number): Promise<number> {
    let deleted = 0;
    for (const dir of await readdirOrEmpty(this.root)) {
      const path = join(this.root, dir);
      const record = await readJson<BuildRecord>(join(path, 'build.json'));
      const last = record ? record.finishedAt : await newestChange(path);
      if (last !== null && last < before) {
        await rm(path, { recursive: true, force: true });
        deleted++;
      }
    }
    return deleted;
  }

  async close(): Promise<void> {}

  private buildDir(buildId: string): string {
    return join(this.root, safeFileName(buildId));
  }
}

class FileStepSink implements StepSink {
  readonly opened: StepLogState;
  private readonly file: string;
  private readonly stateFile: string;
  private state: StepStateFile;
  private savedAt = 0;

  private constructor(file: string, state: StepStateFile) {
    this.file = file;
    this.stateFile = file.replace(/\.jsonl$/, '.state.json');
    this.state = state;
    this.opened = { out: state.out, err: state.err, bytes: state.bytes, cut: state.cut };
  }

  static async open(file: string, ref: StepRef): Promise<FileStepSink> {
    const stateFile = file.replace(/\.jsonl$/, '.state.json');
    const saved = await readJson<StepStateFile>(stateFile);
    const state: StepStateFile = saved ?? {
      buildId: ref.buildId,
      stage: ref.stage,
      step: ref.step,
      size: 0,
      out: 0,
      err: 0,
      bytes: 0,
      cut: false,
      createdAt: Date.now(),
      finishedAt: null,
    };
    const size = await fileSize(file);
    if (size < state.size) state.size = 0; // replaced behind our back: read it all
    if (size > state.size) await catchUp(file, state, size);
    const sink = new FileStepSink(file, state);
    if (!saved || size !== state.size) await sink.save();
    return sink;
  }

  async append(records: LogRecord[], state: StepLogState): Promise<void> {
    if (records.length > 0) {
      const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
      const handle = await open(this.file, 'a', FILE_MODE);
      try {
        await handle.write(text);
      } finally {
        await handle.close();
      }
      this.state.size += Buffer.byteLength(text);
    }
    // Offsets that no stored line carries (lines past the size cap) live only in the state file.
    const carried = { out: 0, err: 0 };
    for (const r of records) if ((r.s === 'out' || r.s === 'err') && r.o !== undefined) carried[r.s] = r.o;
    const uncarried =
      (state.out > this.state.out && carried.out < state.out) ||
      (state.err > this.state.err && carried.err < state.err);
    Object.assign(this.state, { out: state.out, err: state.err, bytes: state.bytes, cut: state.cut });
    if (uncarried || Date.now() - this.savedAt >= STATE_SAVE_MS) await this.save();
  }

  async finish(): Promise<void> {
    this.state.finishedAt = Date.now();
    await this.save();
  }

  private async save(): Promise<void> {
    this.savedAt = Date.now();
    await writeAtomically(this.stateFile, JSON.stringify(this.state));
  }
}

/** Reads the log from where its state file left off: offsets and sizes of later lines. */
async function catchUp(file: string, state: StepStateFile, size: number): Promise<void> {
  let covered = state.size;
  let last: { line: string; bytes: number } | null = null;
  const count = (line: string): void => {
    const [record] = parseLogRecords(line);
    if (!record) return;
    if ((record.s === 'out' || record.s === 'err') && record.o !== undefined)
      state[record.s] = Math.max(state[record.s], record.o);
    if (record.s !== 'sys') state.bytes += Buffer.byteLength(record.l);
  };
  const lines = createInterface({
    input: createReadStream(file, { start: state.size, end: size - 1 }),
    crlfDelay: Infinity,
  });
  for await (const line of lines) {
    if (last) count(last.line);
    // readline gives no byte counts: a line is its bytes and the newline that ended it.
    last = { line, bytes: Buffer.byteLength(line) + 1 };
    covered += last.bytes;
  }
  if (last && covered > size) {
    // The last line had no newline: a torn write from a crash. Drop it (the resume offset
    // reads it again) so the next line does not run on from it.
    covered -= last.bytes;
    await truncate(file, covered);
  } else if (last) {
    count(last.line);
  }
  state.size = covered;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: FILE_MODE });
  await rename(tmp, path);
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    if (isNotFound(err) || err instanceof SyntaxError) return null;
    throw err;
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory() || e.isFile())
      .map((e) => e.name);
  } catch (err) {
    if (isNotFound(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if (isNotFound(err)) return 0;
    throw err;
  }
}

async function newestChange(dir: string): Promise<number | null> {
  let newest: number | null = null;
  for (const entry of await readdirOrEmpty(dir)) {
    const path = join(dir, entry);
    const info = await stat(path);
    const time = info.isDirectory() ? await newestChange(path) : info.mtimeMs;
    if (time !== null && (newest === null || time > newest)) newest = time;
  }
  return newest;
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
