// The build store's schema in PostgreSQL, as numbered migrations. They run at worker
// start (and when a CLI first opens the store), one process at a time under an advisory
// lock; each runs once, in its own transaction.
import type { Pool } from 'pg';

export const MIGRATIONS: readonly string[] = [
  // 1: steps, their log lines, and finished builds.
  `CREATE TABLE wharf_steps (
     id bigserial PRIMARY KEY,
     build_id text NOT NULL,
     stage text NOT NULL,
     step text NOT NULL,
     out_offset bigint NOT NULL DEFAULT 0,
     err_offset bigint NOT NULL DEFAULT 0,
     bytes bigint NOT NULL DEFAULT 0,
     cut boolean NOT NULL DEFAULT false,
     next_seq bigint NOT NULL DEFAULT 1,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     finished_at timestamptz,
     UNIQUE (build_id, stage, step)
   );
   CREATE TABLE wharf_log_lines (
     step_id bigint NOT NULL REFERENCES wharf_steps (id) ON DELETE CASCADE,
     seq bigint NOT NULL,
     t bigint NOT NULL,
     stream text NOT NULL,
     stream_offset bigint,
     line text NOT NULL,
     PRIMARY KEY (step_id, seq)
   );
   CREATE TABLE wharf_builds (
     build_id text PRIMARY KEY,
     workflow_id text NOT NULL,
     run_id text NOT NULL,
     repository text NOT NULL,
     branch text NOT NULL,
     environment text,
     status text NOT NULL,
     started_at timestamptz NOT NULL,
     finished_at timestamptz NOT NULL,
     record jsonb NOT NULL
   );
   CREATE INDEX wharf_builds_started ON wharf_builds (started_at DESC);
   CREATE INDEX wharf_steps_updated ON wharf_steps (updated_at);`,
];

const LOCK_KEY = 0x77686172; // 'whar'

/** Brings the schema up to date; returns the migrations it applied. */
export async function migrate(pool: Pool): Promise<number> {
  const client = await pool.connect();
  // Errors of a broken connection surface in the queries (no listener would end the process).
  const onError = (): void => {};
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS wharf_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ version: number }>(
      'SELECT coalesce(max(version), 0) AS version FROM wharf_migrations',
    );
    const current = rows[0]?.version ?? 0;
    for (let version = current + 1; version <= MIGRATIONS.length; version++) {
      await client.query(MIGRATIONS[version - 1]!);
      await client.query('INSERT INTO wharf_migrations (version) VALUES ($1)', [version]);
    }
    await client.query('COMMIT');
    return Math.max(0, MIGRATIONS.length - current);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.off('error', onError);
    client.release();
  }
}
