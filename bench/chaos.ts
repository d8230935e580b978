// What builds survive: a loop of builds while two worker processes are SIGKILLed at
// random moments and started again (--kills, at least 20 by default), the kube-apiserver
// is restarted once, the Temporal server once, and the build store once. Every command
// writes a marker file (one per run of it) and numbered lines. Reports: builds started,
// finished correct (success, each command's marker exactly once, each line exactly once),
// commands that ran twice, log lines lost or duplicated, orphan pods at the end, the
// longest stall (the longest time no log line was stored and no build ended).
// The workers share the lab's PostgreSQL as their build store (a database of the run's
// own), which is the build store restarted; --folder-store uses a folder instead.
// Only on the lab (loopback). Bounded: builds start during the first 70% of
// --max-minutes, the rest is for the builds in flight; whatever has not ended by then is
// reported as not finished within the bound, and the figures are printed all the same.
// Usage: node bench/chaos.ts [--builds 24] [--concurrency 4] [--kills 20] [--max-minutes 15]
//        [--no-restarts] [--folder-store] [--seed N]
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { awaitBuildOutcome, type BuildOutcome } from '../src/client/build-outcome.ts';
import { startBuild } from '../src/client/start-build.ts';
import { connectClient } from '../src/client/temporal-client.ts';
import type { BuildStore } from '../src/store/build-store.ts';
import { FileStore } from '../src/store/file-store.ts';
import { PostgresStore } from '../src/store/postgres-store.ts';
import { POSTGRES_SH, scratchDatabase } from '../test/support/postgres.ts';
import { readStep } from './lib/shapes.ts';
import { connectLab } from '../test/support/lab.ts';
import { labStep } from '../test/support/lab-plans.ts';
import { plan, stage } from '../test/support/plans.ts';
import { figure, header, ms } from './lib/figures.ts';
import { labProcesses, restartLabProcess } from './lib/lab-process.ts';
import { WorkerProcess } from './lib/worker-process.ts';

const { values } = parseArgs({
  options: {
    builds: { type: 'string', default: '24' },
    concurrency: { type: 'string', default: '4' },
    kills: { type: 'string', default: '20' },
    'max-minutes': { type: 'string', default: '15' },
    'no-restarts': { type: 'boolean', default: false },
    'folder-store': { type: 'boolean', default: false },
    seed: { type: 'string' },
  },
});
const wantBuilds = Number(values.builds);
const maxBuilds = wantBuilds * 3;
const concurrency = Number(values.concurrency);
const wantKills = Number(values.kills);
const boundMs = Number(values['max-minutes']) * 60_000;
// No build starts and no fault is made after `deadline`; nothing is waited for after `hardDeadline`.
const deadline = Date.now() + boundMs * 0.7;
const hardDeadline = Date.now() + boundMs;
const STAGES = 2;
const STEPS = 2;
const LINES = 8;

// A small seeded generator, so a run's kill moments can be replayed with --seed.
let seed = Number(values.seed ?? Date.now() % 2 ** 31);
const firstSeed = seed;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const between = (lo: number, hi: number): number => lo + random() * (hi - lo);
const sleep = (msec: number): Promise<void> => new Promise((r) => setTimeout(r, msec));

const lab = connectLab();
const config = lab.config('bench-chaos');
const db = values['folder-store'] ? null : await scratchDatabase('chaos');
const logs: BuildStore = db ? await PostgresStore.open(db.url) : new FileStore(config.logRoot);
const tag = `ch-${(Date.now() % 1e8).toString(36)}`;
const markers = join(tmpdir(), `wharf-chaos-${tag}`);
mkdirSync(markers, { recursive: true });
const storeUrl = db ? { storeUrl: db.url } : {};
const workers = [
  new WorkerProcess({ config, identity: 'chaos-a', ...storeUrl }),
  new WorkerProcess({ config, identity: 'chaos-b', ...storeUrl }),
];
await Promise.all(workers.map((w) => w.start()));
let { client, close } = await connectClient(config);

header(
  `bench/chaos: builds of ${STAGES}x${STEPS} steps, ${concurrency} at a time, two workers SIGKILLed at random (seed ${firstSeed})`,
);

function chaosPlan(id: string) {
  return plan(
    Array.from({ length: STAGES }, (_, i) =>
      stage(
        `s${i}`,
        Array.from({ length: STEPS }, (_, j) => {
          const marker = `${markers}/${id}.s${i}.p${j}.$(date +%s%N).$$`;
          const script = `: > "${marker}"; i=1; while [ $i -le ${LINES} ]; do echo chaos-line-$i; i=$((i+1)); sleep 0.25; done`;
          return labStep(id, `s${i}`, `p${j}`, script);
        }),
      ),
    ),
  );
}

/** Waits for the outcome, through the Temporal server's own restart; null past the bound. */
async function outcomeOf(id: string): Promise<BuildOutcome | null> {
  const bound = new Promise<null>((resolve) => setTimeout(() => resolve(null), hardDeadline - Date.now()).unref());
  while (Date.now() < hardDeadline) {
    try {
      return await Promise.race([awaitBuildOutcome(client, id), bound]);
    } catch {
      await sleep(500);
    }
  }
  return null;
}

const ids: string[] = [];
const outcomes = new Map<string, BuildOutcome | null>();
const endedAt: number[] = [];
const events: string[] = [];
let kills = 0;
let done = false;
const began = Date.now();

const temporalCli = lab.status.TEMPORAL_CLI;
const temporalHealthy = async (): Promise<boolean> => {
  if (!temporalCli) return true;
  await promisify(execFile)(temporalCli, ['operator', 'cluster', 'health', '--address', config.temporalAddress]);
  return true;
};
const apiServerReady = async (): Promise<boolean> => {
  await lab.core.listNamespacedPod({ namespace: lab.namespace, limit: 1 });
  return true;
};
const processes = labProcesses(lab.status);
const restarts: { at: number; what: string; run: () => Promise<string> }[] = values['no-restarts']
  ? []
  : [
      {
        at: 0.25,
        what: 'kube-apiserver',
        run: async () => `away ${ms(await restartLabProcess(processes.apiServer, apiServerReady))}`,
      },
      {
        at: 0.5,
        what: 'Temporal server',
        run: async () => {
          const away = await restartLabProcess(processes.temporal, temporalHealthy);
          // The old connection may hold a broken channel: the bench's own client reconnects.
          // The old one stays open until the end: calls in flight on it still retry there.
          const old = close;
          const fresh = await connectClient(config);
          client = fresh.client;
          close = async () => {
            await fresh.close();
            await old().catch(() => {});
          };
          return `away ${ms(away)}`;
        },
      },
      {
        at: 0.75,
        what: 'build store',
        run: async () => {
          // The folder store is a folder on this machine: there is no server to restart.
          if (!db) return 'a folder (file store): nothing to restart';
          const began = Date.now();
          await promisify(execFile)('bash', [POSTGRES_SH, 'down']);
          await sleep(between(2000, 5000));
          await promisify(execFile)('bash', [POSTGRES_SH, 'up']);
          return `PostgreSQL away ${ms(Date.now() - began)}`;
        },
      },
    ];

/** Starts a killed worker again; while a server is away it cannot start, so it tries again. */
async function startAgain(w: WorkerProcess): Promise<void> {
  for (let failures = 0; Date.now() < hardDeadline; failures++) {
    try {
      await w.start();
      if (failures)
        events.push(
          `${((Date.now() - began) / 1000).toFixed(1)} s: a worker started after ${failures} failed start(s)`,
        );
      return;
    } catch {
      await sleep(1000);
    }
  }
}

async function chaos(): Promise<void> {
  while (!done && Date.now() < deadline) {
    await sleep(between(1000, 3500));
    if (done) break;
    // The restarts are spread over the builds, or over the time when builds are slow.
    const progress = Math.max(outcomes.size / wantBuilds, (Date.now() - began) / (deadline - began));
    const due = restarts.find((r) => progress >= r.at);
    if (due) {
      restarts.splice(restarts.indexOf(due), 1);
      const result = await due.run();
      events.push(`${((Date.now() - began) / 1000).toFixed(1)} s: restarted the ${due.what} (${result})`);
      continue;
    }
    if (kills >= wantKills) continue;
    const up = workers.filter((w) => w.up);
    if (!up.length) continue;
    const w = up[Math.floor(random() * up.length)]!;
    await w.kill();
    kills++;
    // Started again at once or after a while; meanwhile the other one carries on.
    void sleep(between(0, 2000)).then(() => startAgain(w));
  }
}

async function builds(): Promise<void> {
  let next = 0;
  const one = async (): Promise<void> => {
    while ((next < wantBuilds || kills < wantKills || restarts.length) && next < maxBuilds && Date.now() < deadline) {
      const id = `${tag}-${next++}`;
      ids.push(id);
      for (;;) {
        try {
          await startBuild(
            client,
            config.taskQueue,
            {
              buildId: id,
              plan: chaosPlan(id),
              source: { kind: 'none' },
              onlyStages: [],
              timeouts: { pendingSeconds: 300, runSeconds: 600, heartbeatSeconds: 5 },
            },
            { repository: 'bench', branch: 'main' },
          );
          break;
        } catch (err) {
          if (String(err).includes('already started')) break;
          await sleep(500);
        }
      }
      outcomes.set(id, await outcomeOf(id));
      endedAt.push(Date.now());
    }
  };
  await Promise.all(Array.from({ length: concurrency }, one));
  done = true;
}

await Promise.all([chaos(), builds()]);
// Every worker up again, so steps still deleting their pods can finish.
for (let waited = 0; workers.some((w) => !w.up) && waited < 60_000; waited += 200) await sleep(200);
// Builds that did not end within the bound are cancelled, so their pods go too.
const unfinished = ids.filter((id) => !outcomes.get(id));
await Promise.all(
  unfinished.map((id) =>
    client.workflow
      .getHandle(id)
      .cancel()
      .catch(() => {}),
  ),
);

let correct = 0;
let ranTwice = 0;
let neverRan = 0;
let lost = 0;
let duplicated = 0;
const progress: number[] = [began, ...endedAt];
const markerFiles = readdirSync(markers);
const problems: string[] = [];
for (const id of ids) {
  const outcome = outcomes.get(id);
  let ok = outcome?.result?.status === 'success';
  if (!ok)
    problems.push(
      `${id}: ${outcome ? (outcome.result?.status ?? 'no result') : 'not finished within the bound'} ${outcome?.error ?? ''}`,
    );
  for (let i = 0; i < STAGES; i++) {
    for (let j = 0; j < STEPS; j++) {
      const runs = markerFiles.filter((f) => f.startsWith(`${id}.s${i}.p${j}.`)).length;
      if (runs > 1) ranTwice++;
      if (runs === 0) neverRan++;
      const records = await readStep(logs, { buildId: id, stage: `s${i}`, step: `p${j}` });
      progress.push(...records.map((r) => r.t));
      for (let n = 1; n <= LINES; n++) {
        const count = records.filter((r) => r.l === `chaos-line-${n}`).length;
        if (count === 0) lost++;
        if (count > 1) duplicated++;
        if (count !== 1) ok = false;
      }
      if (runs !== 1) ok = false;
    }
  }
  if (ok) correct++;
}
const ended = Date.now();
progress.push(ended);
progress.sort((a, b) => a - b);
let stall = 0;
let stallAt = 0;
for (let k = 1; k < progress.length; k++) {
  if (progress[k]! - progress[k - 1]! > stall) {
    stall = progress[k]! - progress[k - 1]!;
    stallAt = progress[k - 1]! - began;
  }
}

// Orphans: pods of these builds still there a while after every build ended.
let orphans = Infinity;
for (let waited = 0; waited < 60_000; waited += 1000) {
  const pods = await lab.core.listNamespacedPod({
    namespace: lab.namespace,
    labelSelector: 'app.kubernetes.io/managed-by=wharf-temporal',
  });
  orphans = pods.items.filter((p) => p.metadata?.name?.startsWith(tag)).length;
  if (orphans === 0) break;
  await sleep(1000);
}

for (const e of events) console.log(`  ${e}`);
figure('builds started', String(ids.length));
figure(
  'builds finished correct',
  `${correct} of ${ids.length}${unfinished.length ? `; not finished within the bound: ${unfinished.length}` : ''}`,
);
figure(
  'worker SIGKILLs',
  `${kills}${kills < wantKills ? ` (of ${wantKills} wanted: the bound came first)` : ''} (worker starts: ${workers.map((w) => w.starts).join(' + ')})`,
);
figure(
  'restarts',
  `${events.filter((e) => e.includes('restarted')).length}${restarts.length ? `; not reached: ${restarts.map((r) => r.what).join(', ')}` : ''}`,
);
figure('build store', db ? "PostgreSQL (the lab's, a database of its own)" : 'a folder');
figure('commands that ran twice', `${ranTwice}${neverRan ? `; never ran: ${neverRan}` : ''}`);
figure('log lines lost / duplicated', `${lost} / ${duplicated}`);
figure('orphan pods at the end', String(orphans));
figure('longest stall', `${ms(stall)} (from ${(stallAt / 1000).toFixed(1)} s)`);
figure('wall', `${((ended - began) / 1000).toFixed(1)} s`);
for (const p of problems.slice(0, 10)) console.log(`  problem: ${p}`);

await Promise.all(workers.map((w) => w.stop()));
await close();
if (logs instanceof PostgresStore) await logs.close();
await db?.drop().catch(() => {});
rmSync(markers, { recursive: true, force: true });
process.exit(0);
