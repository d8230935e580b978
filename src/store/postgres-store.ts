// The build store in PostgreSQL, shared by every worker and CLI that reaches it. Lines
// are appended per step in numbered order under the step's row lock (so two attempts of
// one step never store a line twice), and every commit notifies the build's followers
// (LISTEN/NOTIFY), who read what is new at once.
import pg from 'pg';
import type { LogRecord, LogStream } from '../logs/log-record.ts';
import type { BuildQuery, BuildRecord, BuildStore, LogCursor, StepInfo, StepRef } from './build-store.ts';
import { migrate } from './postgres-migrations.ts';
import { StepLog, type StepLogOptions, type StepLogState, type StepSink } from './step-log.ts';

const CHANNEL = 'wharf_build_logs';
/** Followers also look every second, in case a notification was missed while reconnecting. */
const WATCH_FALLBACK_MS = 1000;
const READ_LIMIT = 5000;

/** The URL as it may be shown: the password replaced by ***. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

export class PostgresStore implements BuildStore {
  readonly location: string;
  private readonly url: string;
  private readonly pool: pg.Pool;
  private listener: pg.Client | null = null;
  private listening: Promise<void> | null = null;
  private readonly watchers = new Map<string, Set<() => void>>();
  private closed = false;

  private constructor(url: string) {
    this.url = url;
    this.location = maskUrl(url);
    this.pool = new pg.Pool({
      connectionString: url,
      max: 10,
      connectionTimeoutMillis: 5000,
      query_timeout: 30_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle connection that breaks (the server restarts) is replaced on next use.
    this.pool.on('error', () => {});
  }

  /** Connects, checks the server answers and brings the schema up to date. */
  static async open(url: string): Promise<PostgresStore> {
    const store = new PostgresStore(url);
    try {
      await migrate(store.pool);
    } catch (err) {
      await store.pool.end().catch(() => {});
      throw err;
    }
    return store;
  }

  async openStep(ref: StepRef, options: StepLogOptions = {}): Promise<StepLog> {
    const { rows } = await this.pool.query<{
      id: string;
      out_offset: string;
      err_offset: string;
      bytes: string;
      cut: boolean;
    }>(
      `INSERT INTO wharf_steps (build_id, stage, step) VALUES ($1, $2, $3)
       ON CONFLICT (build_id, stage, step) DO UPDATE SET updated_at = now()
       RETURNING id, out_offset, err_offset, bytes, cut`,
      [ref.buildId, ref.stage, ref.step],
    );
    const row = rows[0]!;
    const opened: StepLogState = {
      out: Number(row.out_offset),
      err: Number(row.err_offset),
      bytes: Number(row.bytes),
      cut: row.cut,
    };
    return new StepLog(
      new PostgresStepSink(this.pool, row.id, ref.buildId, opened),
      `${ref.stage}/${ref.step}`,
      options,
    );
  }

  async steps(buildId: string): Promise<StepInfo[]> {
    const { rows } = await this.pool.query<{ stage: string; step: string; finished_at: Date | null }>(
      'SELECT stage, step, finished_at FROM wharf_steps WHERE build_id = $1 ORDER BY id',
      [buildId],
    );
    return rows.map((r) => ({
      buildId,
      stage: r.stage,
      step: r.step,
      finishedAt: r.finished_at ? r.finished_at.getTime() : null,
    }));
  }

  async read(ref: StepRef, cursor: LogCursor): Promise<{ records: LogRecord[]; next: LogCursor }> {
    const { rows } = await this.pool.query<{
      seq: string;
      t: string;
      stream: LogStream;
      stream_offset: string | null;
      line: string;
    }>(
      `SELECT l.seq, l.t, l.stream, l.stream_offset, l.line FROM wharf_log_lines l JOIN wharf_steps s ON s.id = l.step_id
       WHERE s.build_id = $1 AND s.stage = $2 AND s.step = $3 AND l.seq > $4 ORDER BY l.seq LIMIT ${READ_LIMIT}`,
      [ref.buildId, ref.stage, ref.step, cursor],
    );
    const records = rows.map((r): LogRecord => {
      const record: LogRecord = { t: Number(r.t), s: r.stream, l: r.line };
      if (r.stream_offset !== null) record.o = Number(r.stream_offset);
      return record;
    });
    return { records, next: rows.length ? Number(rows[rows.length - 1]!.seq) : cursor };
  }

  async watch(buildId: string, onChange: () => void): Promise<() => Promise<void>> {
    let set = this.watchers.get(buildId);
    if (!set) this.watchers.set(buildId, (set = new Set()));
    set.add(onChange);
    await this.listen().catch(() => {}); // the fallback keeps looking until it connects
    const timer = setInterval(onChange, WATCH_FALLBACK_MS);
    return async () => {
      clearInterval(timer);
      set.delete(onChange);
      if (set.size === 0) this.watchers.delete(buildId);
    };
  }

  async recordBuild(record: BuildRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO wharf_builds (build_id, workflow_id, run_id, repository, branch, environment, status, started_at, finished_at, record)
       VALUES ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8 / 1000.0), to_timestamp($9 / 1000.0), $10)
       ON CONFLICT (build_id) DO UPDATE SET workflow_id = $2, run_id = $3, repository = $4, branch = $5, environment = $6,
         status = $7, started_at = to_timestamp($8 / 1000.0), finished_at = to_timestamp($9 / 1000.0), record = $10`,
      [
        record.buildId,
        record.workflowId,
        record.runId,
        record.repository,
        record.branch,
        record.environment,
        record.status,
        record.startedAt,
        record.finishedAt,
        JSON.stringify(record),
      ],
    );
  }

  async readBuild(buildId: string): Promise<BuildRecord | null> {
    const { rows } = await this.pool.query<{ record: BuildRecord }>(
      'SELECT record FROM wharf_builds WHERE build_id = $1',
      [buildId],
    );
    return rows[0]?.record ?? null;
  }

  async listBuilds(query: BuildQuery): Promise<BuildRecord[]> {
    const { rows } = await this.pool.query<{ record: BuildRecord }>(
      `SELECT record FROM wharf_builds WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR repository = $2)
       ORDER BY started_at DESC LIMIT $3`,
      [query.status ?? null, query.repository ?? null, query.limit],
    );
    return rows.map((r) => r.record);
  }

  async deleteBuilds(before: number): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(
      `WITH old AS (
         SELECT build_id FROM wharf_builds WHERE finished_at < to_timestamp($1 / 1000.0)
         UNION
         (SELECT s.build_id FROM wharf_steps s WHERE NOT EXISTS (SELECT 1 FROM wharf_builds b WHERE b.build_id = s.build_id)
          GROUP BY s.build_id HAVING max(s.updated_at) < to_timestamp($1 / 1000.0))
       ), gone_steps AS (DELETE FROM wharf_steps WHERE build_id IN (SELECT build_id FROM old)),
       gone_builds AS (DELETE FROM wharf_builds WHERE build_id IN (SELECT build_id FROM old))
       SELECT count(*) AS count FROM old`,
      [before],
    );
    return Number(rows[0]?.count ?? 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => {});
    await this.pool.end();
  }

  /** One LISTEN connection for all of this store's followers; reconnects when it drops. */
  private listen(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.listening ??= (async () => {
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
      const retry = (): void => {
        if (this.listener === client) this.listener = null;
        this.listening = null;
        client.end().catch(() => {});
        if (!this.closed && this.watchers.size > 0)
          setTimeout(() => void this.listen().catch(() => {}), WATCH_FALLBACK_MS).unref();
      };
      client.on('error', retry);
      client.on('end', () => {
        if (this.listener === client) retry();
      });
      client.on('notification', (message) => {
        for (const wake of this.watchers.get(message.payload ?? '') ?? []) wake();
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
      } catch (err) {
        retry();
        throw err;
      }
      this.listener = client;
      // What came while no connection listened: look once.
      for (const set of this.watchers.values()) for (const wake of set) wake();
    })();
    return this.listening;
  }
}

class PostgresStepSink implements StepSink {
  readonly opened: StepLogState;
  private readonly pool: pg.Pool;
  private readonly id: string;
  private readonly buildId: string;

  constructor(pool: pg.Pool, id: string, buildId: string, opened: StepLogState) {
    this.pool = pool;
    this.id = id;
    this.buildId = buildId;
    this.opened = opened;
  }

  async append(records: LogRecord[], state: StepLogState): Promise<void> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A connection that breaks between two queries emits 'error': without a listener that
    // would end the process. The next query fails instead, and the write is retried.
    const onError = (err: Error): void => {
      broken = err;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ out_offset: string; err_offset: string; next_seq: string }>(
        'SELECT out_offset, err_offset, next_seq FROM wharf_steps WHERE id = $1 FOR UPDATE',
        [this.id],
      );
      const row = rows[0];
      if (!row) throw new Error(`step ${this.id} is no longer in the build store (deleted by retention?)`);
      const stored = { out: Number(row.out_offset), err: Number(row.err_offset) };
      // Another attempt of this step may have stored some of these lines already.
      const fresh = records.filter((r) => r.s === 'sys' || r.o === undefined || r.o > stored[r.s]);
      if (fresh.length > 0) {
        await client.query(
          `INSERT INTO wharf_log_lines (step_id, seq, t, stream, stream_offset, line)
           SELECT $1, $2::bigint + ord - 1, t, s, o, l FROM unnest($3::bigint[], $4::text[], $5::bigint[], $6::text[]) WITH ORDINALITY AS x(t, s, o, l, ord)`,
          [
            this.id,
            row.next_seq,
            fresh.map((r) => r.t),
            fresh.map((r) => r.s),
            fresh.map((r) => r.o ?? null),
            fresh.map((r) => r.l.replace(/\u0000/g, '\ufffd')),
          ],
        );
      }
      await client.query(
        `UPDATE wharf_steps SET out_offset = greatest(out_offset, $2), err_offset = greatest(err_offset, $3), bytes = greatest(bytes, $4),
           cut = cut OR $5, next_seq = next_seq + $6, updated_at = now() WHERE id = $1`,
        [this.id, state.out, state.err, state.bytes, state.cut, fresh.length],
      );
      if (fresh.length > 0) await client.query('SELECT pg_notify($1, $2)', [CHANNEL, this.buildId]);
      await client.query('COMMIT');
    } catch (err) {
      broken = err instanceof Error ? err : new Error(String(err));
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      // A connection that failed mid-transaction is not handed out again.
      client.off('error', onError);
      client.release(broken);
    }
  }

  async finish(): Promise<void> {
    await this.pool.query('UPDATE wharf_steps SET finished_at = now(), updated_at = now() WHERE id = $1', [this.id]);
  }
}
