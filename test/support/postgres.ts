// The lab's PostgreSQL for tests: its URL, and databases of their own per test file.
import pg from 'pg';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseKeyValues } from '../../src/cli/local-lab.ts';

export const POSTGRES_SH = fileURLToPath(new URL('../../tools/lab/postgres.sh', import.meta.url));

/** The lab's PostgreSQL (`tools/lab/postgres.sh status`); an error, never a skip, when it is down. */
export function labPostgresUrl(): string {
  const run = spawnSync('bash', [POSTGRES_SH, 'status'], { encoding: 'utf8' });
  const url = parseKeyValues(run.stdout ?? '').POSTGRES_URL;
  if (run.status !== 0 || !url)
    throw new Error(
      `the lab's PostgreSQL is down (\`bash tools/lab/postgres.sh status\`): start the lab with \`npm run lab:up\`\n${run.stdout}${run.stderr}`,
    );
  return url;
}

/** A database of its own on the lab's PostgreSQL; dropped when the tests end. */
export async function scratchDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const base = labPostgresUrl();
  const db = `${name}_${process.pid}_${Date.now()}`.replace(/[^a-z0-9_]/g, '_');
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${db}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await c.end();
    },
  };
}
