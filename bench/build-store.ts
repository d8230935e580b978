// Measures the build store on this machine and prints the figures, for the folder and
// for the lab's PostgreSQL (a database of its own, dropped after):
//   - write throughput of one step's log, lines per second (100-byte lines, as the
//     run-command activity hands them over: a few dozen per call);
//   - follow latency: from a line's write to a follower in another connection reading it
//     (PostgreSQL: LISTEN/NOTIFY; the folder: its 150 ms look), p50 and p95.
// Usage: node bench/build-store.ts [--lines N] [--samples N]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LogFollower } from '../src/client/log-follower.ts';
import type { BuildStore } from '../src/store/build-store.ts';
import { FileStore } from '../src/store/file-store.ts';
import { PostgresStore } from '../src/store/postgres-store.ts';
import { scratchDatabase } from '../test/support/postgres.ts';

const { values } = parseArgs({
  options: { lines: { type: 'string', default: '100000' }, samples: { type: 'string', default: '100' } },
});
const lines = Number(values.lines);
const samples = Number(values.samples);

async function throughput(store: BuildStore): Promise<number> {
  const log = await store.openStep(
    { buildId: 'bench-write', stage: 's', step: 't' },
    { maxBytes: Number.MAX_SAFE_INTEGER },
  );
  const text = 'x'.repeat(100);
  const began = performance.now();
  for (let i = 0; i < lines; i += 50) {
    log.write(
      'out',
      Array.from({ length: 50 }, (_, j) => ({ text, endOffset: (i + j + 1) * 101 })),
    );
    if (log.full) await log.whenRoom();
    if (i % 5000 === 0) await new Promise((r) => setImmediate(r));
  }
  await log.flush();
  return lines / ((performance.now() - began) / 1000);
}

async function followLatency(writer: BuildStore, reader: BuildStore): Promise<number[]> {
  const buildId = `bench-follow-${Date.now()}`;
  const log = await writer.openStep({ buildId, stage: 's', step: 't' });
  const seen = new Map<string, number>();
  const follower = new LogFollower(reader, buildId, (_step, record) => seen.set(record.l, performance.now()));
  await follower.start();
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const text = `sample ${i}`;
    const at = performance.now();
    log.note(text);
    await log.flush();
    while (!seen.has(text)) await new Promise((r) => setTimeout(r, 1));
    latencies.push(seen.get(text)! - at);
    await new Promise((r) => setTimeout(r, 20));
  }
  await follower.stop();
  return latencies.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number): string =>
  `${sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!.toFixed(1)} ms`;

const root = mkdtempSync(join(tmpdir(), 'bench-store-'));
const folder = await followLatency(new FileStore(root), new FileStore(root));
console.log(
  `folder:     write ${Math.round(await throughput(new FileStore(root)))} lines/s; follow latency p50 ${pct(folder, 0.5)}, p95 ${pct(folder, 0.95)}`,
);

const db = await scratchDatabase('bench');
try {
  const writer = await PostgresStore.open(db.url);
  const reader = await PostgresStore.open(db.url);
  const latencies = await followLatency(writer, reader);
  console.log(
    `PostgreSQL: write ${Math.round(await throughput(writer))} lines/s; follow latency (LISTEN/NOTIFY) p50 ${pct(latencies, 0.5)}, p95 ${pct(latencies, 0.95)}`,
  );
  await writer.close();
  await reader.close();
} finally {
  await db.drop();
}
