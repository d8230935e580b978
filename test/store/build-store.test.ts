// The build store's contract, run against both stores: the folder and the lab's real
// PostgreSQL (a database of its own per run). Then what only one of them promises.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync, appendFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { BuildRecord, BuildStore, StepRef } from '../../src/store/build-store.ts';
import { FileStore, safeFileName } from '../../src/store/file-store.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { openBuildStore, resolveStoreSettings } from '../../src/store/store-settings.ts';
import { StepLog } from '../../src/store/step-log.ts';
import { scratchDatabase } from '../support/postgres.ts';
import { startTcpRelay } from '../support/tcp-relay.ts';

async function readAll(store: BuildStore, ref: StepRef): Promise<{ s: string; l: string; o?: number }[]> {
  const out: { s: string; l: string; o?: number }[] = [];
  let cursor = 0;
  for (;;) {
    const { records, next } = await store.read(ref, cursor);
    if (records.length === 0) return out;
    out.push(...records.map((r) => ({ s: r.s, l: r.l, ...(r.o !== undefined ? { o: r.o } : {}) })));
    cursor = next;
  }
}

function record(buildId: string, overrides: Partial<BuildRecord> = {}): BuildRecord {
  return {
    buildId,
    workflowId: buildId,
    runId: `run-${buildId}`,
    repository: 'repo',
    branch: 'main',
    environment: 'lab',
    status: 'success',
    startedAt: 1_000,
    finishedAt: 2_000,
    stages: [
      {
        name: 'build',
        status: 'success',
        startedAt: 1_000,
        durationMs: 900,
        steps: [
          {
            name: 'compile',
            type: 'container',
            status: 'success',
            startedAt: 1_010,
            durationMs: 800,
            error: null,
            exitCode: 0,
            logTail: [],
          },
        ],
      },
    ],
    ...overrides,
  };
}

function contract(name: string, open: () => Promise<BuildStore>): void {
  describe(`build store contract: ${name}`, function () {
    this.timeout(30_000);
    let store: BuildStore;
    let n = 0;
    const ref = (): StepRef => ({ buildId: `b-${++n}`, stage: 'build', step: 'compile' });
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close();
    });

    it('stores lines in order with their offsets; a re-opened log skips what is stored and resumes exactly', async () => {
      const step = ref();
      const first = await store.openStep(step);
      assert.deepEqual(first.stored, { out: 0, err: 0 });
      first.write('out', [
        { text: 'one', endOffset: 4 },
        { text: 'two', endOffset: 8 },
      ]);
      first.write('err', [{ text: 'warn', endOffset: 5 }]);
      first.note('a remark');
      await first.flush();
      const second = await store.openStep(step);
      assert.deepEqual(second.stored, { out: 8, err: 5 });
      second.write('out', [
        { text: 'two', endOffset: 8 },
        { text: 'three', endOffset: 14 },
      ]);
      second.write('err', [{ text: 'warn', endOffset: 5 }]);
      await second.flush();
      assert.deepEqual(await readAll(store, step), [
        { s: 'out', l: 'one', o: 4 },
        { s: 'out', l: 'two', o: 8 },
        { s: 'err', l: 'warn', o: 5 },
        { s: 'sys', l: 'a remark' },
        { s: 'out', l: 'three', o: 14 },
      ]);
    });

    it('masks secrets before they are stored', async () => {
      const step = ref();
      const log = await store.openStep(step, { secrets: ['hunter2', 's3cr3t-longer'] });
      log.write('out', [{ text: 'password is hunter2, token s3cr3t-longer', endOffset: 10 }]);
      await log.flush();
      assert.deepEqual(
        (await readAll(store, step)).map((r) => r.l),
        ['password is ***, token ***'],
      );
    });

    it('reads incrementally from a cursor, lists steps in order and marks them finished', async () => {
      const buildId = `b-${++n}`;
      const a = await store.openStep({ buildId, stage: 'build', step: 'a' });
      a.note('hello');
      await a.flush();
      const b = await store.openStep({ buildId, stage: 'test', step: 'b' });
      b.note('from b');
      await b.flush();
      const first = await store.read({ buildId, stage: 'build', step: 'a' }, 0);
      a.write('out', [{ text: 'more', endOffset: 5 }]);
      await a.finish();
      const next = await store.read({ buildId, stage: 'build', step: 'a' }, first.next);
      assert.deepEqual(
        first.records.map((r) => r.l),
        ['hello'],
      );
      assert.deepEqual(
        next.records.map((r) => r.l),
        ['more'],
      );
      const steps = await store.steps(buildId);
      assert.deepEqual(
        steps.map((s) => `${s.stage}/${s.step}`),
        ['build/a', 'test/b'],
      );
      assert.ok(steps[0]!.finishedAt !== null && steps[1]!.finishedAt === null);
      assert.deepEqual(await store.steps('no-such-build'), []);
      assert.deepEqual(await store.read({ buildId: 'no-such-build', stage: 'x', step: 'y' }, 0), {
        records: [],
        next: 0,
      });
    });

    it('takes any name: 300 characters, slashes, dots, spaces and other scripts', async () => {
      const step: StepRef = { buildId: `b-${++n}`, stage: '../../etc', step: `${'x'.repeat(300)} / ünïcødé .. 名前` };
      const log = await store.openStep(step);
      log.note('fine');
      await log.flush();
      assert.deepEqual(
        (await readAll(store, step)).map((r) => r.l),
        ['fine'],
      );
      assert.deepEqual(
        (await store.steps(step.buildId)).map((s) => s.step),
        [step.step],
      );
    });

    it('cuts a step at its size limit, says so, and still resumes after the cut', async () => {
      const step = ref();
      const log = await store.openStep(step, { maxBytes: 10 });
      log.write('out', [
        { text: '12345', endOffset: 6 },
        { text: '67890', endOffset: 12 },
        { text: 'over', endOffset: 17 },
        { text: 'more', endOffset: 22 },
      ]);
      await log.flush();
      const lines = (await readAll(store, step)).map((r) => r.l);
      assert.equal(lines.length, 3);
      assert.deepEqual(lines.slice(0, 2), ['12345', '67890']);
      assert.match(lines[2]!, /^log cut: this step's output reached the limit of 10 bytes per step/);
      const again = await store.openStep(step, { maxBytes: 10 });
      assert.deepEqual(again.stored, { out: 22, err: 0 });
    });

    it('keeps finished builds’ records, lists them newest first with filters, and deletes them and their logs by age', async () => {
      const old = record(`r-old-${n}`, { startedAt: 1_000, finishedAt: 2_000, status: 'failed' });
      const recent = record(`r-new-${n}`, {
        startedAt: Date.now() - 1000,
        finishedAt: Date.now(),
        repository: 'other',
      });
      await store.recordBuild(old);
      await store.recordBuild(recent);
      await store.recordBuild({ ...recent, status: 'cancelled' }); // recorded again: replaced
      const log = await store.openStep({ buildId: old.buildId, stage: 'build', step: 'compile' });
      log.note('old line');
      await log.flush();
      assert.deepEqual(await store.readBuild(old.buildId), old);
      assert.equal((await store.readBuild(recent.buildId))?.status, 'cancelled');
      assert.equal(await store.readBuild('never-recorded'), null);
      const listed = await store.listBuilds({ limit: 100 });
      assert.ok(
        listed.findIndex((b) => b.buildId === recent.buildId) < listed.findIndex((b) => b.buildId === old.buildId),
      );
      assert.deepEqual(
        (await store.listBuilds({ limit: 100, repository: 'other' })).map((b) => b.buildId),
        [recent.buildId],
      );
      assert.ok((await store.listBuilds({ limit: 100, status: 'failed' })).every((b) => b.status === 'failed'));
      assert.equal((await store.listBuilds({ limit: 1 })).length, 1);
      assert.ok((await store.deleteBuilds(10_000)) >= 1);
      assert.equal(await store.readBuild(old.buildId), null);
      assert.deepEqual(await store.steps(old.buildId), []);
      assert.notEqual(await store.readBuild(recent.buildId), null);
    });

    it('tells a watcher within a second that lines were stored', async () => {
      const step = ref();
      const log = await store.openStep(step);
      let resolveSeen: (ms: number) => void = () => {};
      const seen = new Promise<number>((resolve) => (resolveSeen = resolve));
      let written = 0;
      const stop = await store.watch(step.buildId, () => {
        void store.read(step, 0).then(({ records }) => {
          if (records.length > 0 && written > 0) resolveSeen(Date.now() - written);
        });
      });
      await new Promise((r) => setTimeout(r, 50));
      written = Date.now();
      log.note('now');
      await log.flush();
      const ms = await seen;
      await stop();
      assert.ok(ms < 1000, `seen after ${ms} ms`);
    });
  });
}

const fileRoot = (): string => mkdtempSync(join(tmpdir(), 'store-'));
contract('folder', async () => new FileStore(fileRoot()));

describe("build store contract: PostgreSQL (the lab's)", function () {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  before(async () => {
    db = await scratchDatabase('contract');
  });
  after(async () => {
    await db?.drop();
  });
  contract('PostgreSQL', () => PostgresStore.open(db.url));

  it('stores each line once when two attempts of one step write at the same time', async () => {
    const store = await PostgresStore.open(db.url);
    try {
      const step: StepRef = { buildId: 'both', stage: 's', step: 't' };
      const a = await store.openStep(step);
      const b = await store.openStep(step);
      const lines = Array.from({ length: 200 }, (_, i) => ({ text: `line ${i}`, endOffset: (i + 1) * 10 }));
      for (let i = 0; i < 200; i += 20) {
        a.write('out', lines.slice(i, i + 20));
        b.write('out', lines.slice(Math.max(0, i - 10), i + 15));
      }
      await Promise.all([a.flush(), b.flush()]);
      const stored = await readAll(store, step);
      assert.deepEqual(
        stored.map((r) => r.l),
        lines.map((l) => l.text),
      );
    } finally {
      await store.close();
    }
  });

  it('runs its migrations once, also when several workers start together', async () => {
    const stores = await Promise.all([1, 2, 3].map(() => PostgresStore.open(db.url)));
    await Promise.all(stores.map((s) => s.close()));
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query('SELECT version FROM wharf_migrations ORDER BY version');
    await c.end();
    assert.deepEqual(
      rows.map((r: { version: number }) => r.version),
      [1],
    );
  });

  it('lets a cancelled step stop waiting while PostgreSQL is away; its lines are written once it is back', async () => {
    // The store is reached through a relay, which goes away and comes back on its port.
    const direct = new URL(db.url);
    const target = { host: direct.hostname, port: Number(direct.port) };
    let relay = await startTcpRelay('127.0.0.1', target);
    const port = relay.port;
    const viaRelay = new URL(db.url);
    viaRelay.port = String(port);
    const store = await PostgresStore.open(viaRelay.toString());
    const reader = await PostgresStore.open(db.url);
    try {
      const step: StepRef = { buildId: 'cancelled-away', stage: 'build', step: 'compile' };
      const log = await store.openStep(step);
      await relay.close();
      log.write('out', [{ text: 'written while away', endOffset: 19 }]);
      const cancel = new AbortController();
      setTimeout(() => cancel.abort(new Error('step cancelled')), 300);
      const began = Date.now();
      await assert.rejects(log.finish(cancel.signal), /step cancelled/);
      assert.ok(Date.now() - began < 1500, `the wait ended ${Date.now() - began} ms after it began`);
      assert.deepEqual(await readAll(reader, step), []);
      relay = await startTcpRelay('127.0.0.1', target, port);
      const deadline = Date.now() + 15_000;
      let stored: { s: string; l: string }[] = [];
      while (Date.now() < deadline) {
        stored = await readAll(reader, step);
        if (stored.some((r) => r.s === 'out')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(
        stored.filter((r) => r.s === 'out').map((r) => r.l),
        ['written while away'],
      );
      assert.match(stored.find((r) => r.s === 'sys')?.l ?? '', /^the build store did not answer/);
      await log.finish();
    } finally {
      await relay.close();
      await store.close();
      await reader.close();
    }
  });

  it('an unreachable store fails with its URL, the password masked, and the reason', async () => {
    const settings = resolveStoreSettings({ store: 'postgres://wharf:topsecret@127.0.0.1:1/wharf' });
    await assert.rejects(openBuildStore(settings), (err: Error) => {
      assert.match(
        err.message,
        /^cannot reach the build store at postgres:\/\/wharf:\*\*\*@127\.0\.0\.1:1\/wharf \(.*ECONNREFUSED.*\)$/,
      );
      assert.ok(!err.message.includes('topsecret'));
      return true;
    });
  });
});

describe('folder store', () => {
  const step: StepRef = { buildId: 'b', stage: 'build', step: 'compile' };

  it('keeps folders 0700 and files 0600, under bounded file names', async () => {
    const root = join(fileRoot(), 'logs');
    const store = new FileStore(root);
    const long: StepRef = { buildId: 'b', stage: 'build', step: 'y'.repeat(300) };
    const log = await store.openStep(long);
    log.note('x');
    await log.finish();
    await store.recordBuild(record('b'));
    const file = store.stepFile(long);
    assert.equal(statSync(root).mode & 0o777, 0o700);
    assert.equal(statSync(join(file, '..')).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    for (const f of readdirSync(join(file, '..'))) {
      assert.equal(statSync(join(file, '..', f)).mode & 0o777, 0o600, f);
      assert.ok(Buffer.byteLength(f) <= 80, f);
    }
    assert.equal(statSync(join(root, safeFileName('b'), 'build.json')).mode & 0o777, 0o600);
  });

  it('re-opens from its saved state, reads only what came after, and drops a torn last line', async () => {
    const store = new FileStore(fileRoot());
    const log = await store.openStep(step);
    log.write('out', [{ text: 'a', endOffset: 2 }]);
    await log.finish(); // saves the state
    // Lines written after the state was saved, then a crash in the middle of a line.
    appendFileSync(
      store.stepFile(step),
      `${JSON.stringify({ t: 1, s: 'err', o: 7, l: 'later' })}\n{"t":1,"s":"out","o":9,"l":"tor`,
    );
    const again = await store.openStep(step);
    assert.deepEqual(again.stored, { out: 2, err: 7 });
    again.write('out', [{ text: 'b', endOffset: 4 }]);
    await again.flush();
    assert.deepEqual(
      (await readAll(store, step)).map((r) => r.l),
      ['a', 'later', 'b'],
    );
  });

  it('trusts the state file for what it covers: the log before it is not read again', async () => {
    const store = new FileStore(fileRoot());
    const log = await store.openStep(step);
    log.write('out', [{ text: 'a', endOffset: 2 }]);
    await log.finish();
    const stateFile = store.stepFile(step).replace(/\.jsonl$/, '.state.json');
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { out: number };
    // Proof that opening does not re-read the covered part: the state's offset wins.
    writeFileSync(stateFile, JSON.stringify({ ...state, out: 1234 }));
    assert.deepEqual((await store.openStep(step)).stored, { out: 1234, err: 0 });
  });
});

describe('step log while the store is away', () => {
  it('buffers in order, keeps heartbeat offsets at what is stored, pauses reading at its bound and writes everything when the store returns', async () => {
    const stored: { l: string }[] = [];
    let down = true;
    let attempts = 0;
    const sink = {
      opened: { out: 0, err: 0, bytes: 0, cut: false },
      async append(records: { l: string }[]) {
        attempts++;
        if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        stored.push(...records);
      },
      async finish() {
        if (down) throw new Error('connect ECONNREFUSED');
      },
    };
    const troubles: string[] = [];
    const log = new StepLog(sink, 'build/compile', { bufferBytes: 100, onTrouble: (m) => troubles.push(m) });
    for (let i = 1; i <= 30; i++) log.write('out', [{ text: `line ${String(i).padStart(2, '0')}`, endOffset: i * 8 }]);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(attempts >= 2);
    assert.equal(log.full, true);
    assert.deepEqual(log.durable, { out: 0, err: 0 });
    let room = false;
    const whenRoom = log.whenRoom().then(() => (room = true));
    down = false;
    await log.finish();
    await whenRoom;
    assert.ok(room);
    assert.deepEqual(log.durable, { out: 240, err: 0 });
    const lines = stored.map((r) => r.l);
    assert.deepEqual(
      lines.filter((l) => l.startsWith('line ')),
      Array.from({ length: 30 }, (_, i) => `line ${String(i + 1).padStart(2, '0')}`),
    );
    assert.ok(
      lines.some((l) => /^the build store did not answer \(connect ECONNREFUSED/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) =>
        /wait in memory \(the limit\): reading the command's output pauses until it returns; no line is lost/.test(l),
      ),
      lines.join('\n'),
    );
    assert.ok(troubles.some((m) => /answers again after/.test(m)));
  });
});
