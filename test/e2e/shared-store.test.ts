// Several workers, one build, one shared build store (the lab's PostgreSQL): two worker
// processes on one task queue share the build; `logs --follow` from a third process shows
// every step's lines once and in order while one worker is killed with SIGKILL. Then the
// store itself goes away in the middle of a build and comes back: no step fails, no line
// is lost.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { awaitBuildOutcome } from '../../src/client/build-outcome.ts';
import { readAllRecords } from '../../src/client/log-follower.ts';
import { startBuild } from '../../src/client/start-build.ts';
import { connectClient } from '../../src/client/temporal-client.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { labStep } from '../support/lab-plans.ts';
import { buildPods, connectLab, type Lab, type LabConfig } from '../support/lab.ts';
import { plan, stage } from '../support/plans.ts';
import { POSTGRES_SH, scratchDatabase } from '../support/postgres.ts';

const CLI = fileURLToPath(new URL('../../bin/wharf-temporal.js', import.meta.url));
const LINES = 40;

describe('several workers sharing the PostgreSQL build store', function () {
  this.timeout(360_000);
  let lab: Lab;
  let config: LabConfig;
  let client: Client;
  let closeClient: () => Promise<void>;
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let store: PostgresStore;
  const children: ChildProcess[] = [];

  before(async () => {
    lab = connectLab();
    config = lab.config('shared');
    ({ client, close: closeClient } = await connectClient(config));
    db = await scratchDatabase('shared');
    store = await PostgresStore.open(db.url);
  });
  // Each test has workers of its own: the next one's build must not run on them.
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });
  after(async () => {
    await store?.close();
    await closeClient?.();
    await db?.drop();
  });

  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    TEMPORAL_ADDRESS: config.temporalAddress,
    KUBECONFIG: config.kubeconfig ?? '',
    WHARF_TEMPORAL_NAMESPACE: config.kubeNamespace,
    WHARF_TEMPORAL_TASK_QUEUE: config.taskQueue,
    WHARF_TEMPORAL_STORE_URL: db.url,
    NO_COLOR: '1',
  });

  /** A CLI process; its output as it comes. */
  function start(
    args: string[],
    extra: NodeJS.ProcessEnv = {},
  ): { child: ChildProcess; out: () => string; exit: Promise<number | null> } {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...env(), ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    return { child, out: () => out, exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  }

  async function worker(): Promise<ReturnType<typeof start>> {
    // Each worker has a log folder of its own: only the shared store joins them.
    const w = start(['worker', '--shutdown-grace', '1'], {
      WHARF_TEMPORAL_LOG_DIR: mkdtempSync(join(tmpdir(), 'own-logs-')),
    });
    await until(
      'the worker polls',
      () => w.out().includes('polling task queue'),
      120_000,
      () => w.out(),
    );
    return w;
  }

  async function until(
    what: string,
    test: () => Promise<boolean> | boolean,
    timeoutMs = 60_000,
    detail: () => string = () => '',
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await test())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${detail()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A step printing numbered lines over a few seconds, counting its runs in a file. */
  const ticking = (id: string, stageName: string, name: string, counter: string, ms = 100) =>
    labStep(
      id,
      stageName,
      name,
      `echo run >> ${counter}; i=1; while [ $i -le ${LINES} ]; do echo "${name} line $i"; i=$((i+1)); sleep ${ms / 1000}; done`,
    );

  const expected = (name: string): string[] => Array.from({ length: LINES }, (_, i) => `${name} line ${i + 1}`);

  it("shows every step's lines once, in order, from a third process while one of two workers is killed", async () => {
    const id = `shared-${process.pid}`;
    const dir = mkdtempSync(join(tmpdir(), 'shared-runs-'));
    const counters = ['a', 'b', 'c'].map((n) => join(dir, n));
    const workers = [await worker(), await worker()];
    await startBuild(
      client,
      config.taskQueue,
      {
        buildId: id,
        plan: plan([
          stage('build', [ticking(id, 'build', 'a', counters[0]!), ticking(id, 'build', 'b', counters[1]!)]),
          stage('test', [ticking(id, 'test', 'c', counters[2]!, 50)]),
        ]),
        source: { kind: 'none' },
        onlyStages: [],
        timeouts: { pendingSeconds: 60, runSeconds: 300, heartbeatSeconds: 4 },
      },
      { repository: 'shared', branch: 'main' },
    );
    const follow = start(['logs', id, '--follow']);
    await until(
      'lines of both first steps',
      () => /a line 5\b/.test(follow.out()) && /b line 5\b/.test(follow.out()),
      150_000,
      follow.out,
    );
    workers[0]!.child.kill('SIGKILL');
    const code = await follow.exit;
    const out = follow.out();
    assert.equal(code, 0, out);
    for (const name of ['a', 'b', 'c']) {
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith(`[${name === 'c' ? 'test' : 'build'}/${name}] ${name} line`))
        .map((l) => l.replace(/^\[[^\]]+\] /, ''));
      assert.deepEqual(lines, expected(name), `step ${name}, as followed:\n${out}`);
    }
    assert.match(out, /^build \S+: success$/m);
    for (const counter of counters)
      assert.equal(existsSync(counter) ? readFileSync(counter, 'utf8') : '', 'run\n', 'each command ran once');
    // The store holds the same, and the finished build's record.
    for (const name of ['a', 'b']) {
      const stored = (await readAllRecords(store, id, `build/${name}`))
        .filter((r) => r.record.s === 'out')
        .map((r) => r.record.l);
      assert.deepEqual(stored, expected(name));
    }
    const record = await store.readBuild(id);
    assert.equal(record?.status, 'success');
    assert.equal(record?.repository, 'shared');
    assert.deepEqual(
      record?.stages.flatMap((s) => s.steps.map((st) => [st.name, st.exitCode])),
      [
        ['a', 0],
        ['b', 0],
        ['c', 0],
      ],
    );
    await until('no pods left', async () => (await buildPods(lab, id)).length === 0, 30_000);
  });

  it('neither fails a step nor loses a line when PostgreSQL stops in the middle of a build and starts again', async () => {
    const id = `storeaway-${process.pid}`;
    const counter = join(mkdtempSync(join(tmpdir(), 'away-')), 'runs');
    const w = await worker();
    await startBuild(
      client,
      config.taskQueue,
      {
        buildId: id,
        plan: plan([stage('build', [ticking(id, 'build', 'away', counter, 150)])]),
        source: { kind: 'none' },
        onlyStages: [],
        timeouts: { pendingSeconds: 60, runSeconds: 300, heartbeatSeconds: 10 },
      },
      { repository: 'away', branch: 'main' },
    );
    await until('the first lines are stored', async () =>
      (await readAllRecords(store, id).catch(() => [])).some((r) => r.record.l === 'away line 3'),
    );
    execFileSync('bash', [POSTGRES_SH, 'down'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      execFileSync('bash', [POSTGRES_SH, 'up'], { stdio: 'ignore' });
    }
    const outcome = await awaitBuildOutcome(client, id);
    assert.equal(outcome.result?.status, 'success', outcome.error ?? '');
    assert.equal(readFileSync(counter, 'utf8'), 'run\n', 'the command ran once');
    const records = (await readAllRecords(store, id)).map((r) => r.record);
    assert.deepEqual(
      records.filter((r) => r.s === 'out').map((r) => r.l),
      expected('away'),
    );
    assert.ok(
      records.some((r) => r.s === 'sys' && /^the build store did not answer/.test(r.l)),
      `${records
        .filter((r) => r.s === 'sys')
        .map((r) => r.l)
        .join('\n')}\nworker:\n${w.out()}`,
    );
    assert.match(w.out(), /the build store does not answer/);
    assert.match(w.out(), /the build store answers again after/);
  });

  it("fails a worker's start when the store cannot be reached, naming it with the password masked", async () => {
    const w = start(['worker'], { WHARF_TEMPORAL_STORE_URL: 'postgres://wharf:hunter2@127.0.0.1:1/wharf' });
    assert.equal(await w.exit, 1);
    assert.match(
      w.out(),
      /cannot reach the build store at postgres:\/\/wharf:\*\*\*@127\.0\.0\.1:1\/wharf \(.*ECONNREFUSED/,
    );
    assert.ok(!w.out().includes('hunter2'));
  });
});
