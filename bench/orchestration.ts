// Measures what the design promises, on the running lab, and prints the figures:
//   - orchestration overhead per step: build wall time minus the critical path of the
//     commands, for builds of N stages of one no-op step each (p50, p90);
//   - Temporal history events per step, and any timeout recorded in them;
//   - the peak RSS of the worker, a process of its own as `wharf-temporal worker` runs.
// Usage: node bench/orchestration.ts [--builds N] [--steps N] [--concurrency N] [--max-cached-workflows N]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { awaitBuildOutcome } from '../src/client/build-outcome.ts';
import { startBuild } from '../src/client/start-build.ts';
import { connectClient } from '../src/client/temporal-client.ts';
import { connectLab } from '../test/support/lab.ts';
import { labStep } from '../test/support/lab-plans.ts';
import { plan, stage } from '../test/support/plans.ts';

const { values } = parseArgs({
  options: {
    builds: { type: 'string', default: '10' },
    steps: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '1' },
    'max-cached-workflows': { type: 'string' },
  },
});
const builds = Number(values.builds);
const steps = Number(values.steps);
const concurrency = Number(values.concurrency);

const lab = connectLab();
const config = lab.config('bench');
const worker = spawn(
  process.execPath,
  [
    fileURLToPath(new URL('../bin/wharf-temporal.js', import.meta.url)),
    'worker',
    '--max-concurrent-steps',
    '200',
    '--shutdown-grace',
    '1',
    ...(values['max-cached-workflows'] ? ['--max-cached-workflows', values['max-cached-workflows']] : []),
  ],
  {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: '',
      WHARF_TEMPORAL_TASK_QUEUE: config.taskQueue,
      WHARF_TEMPORAL_LOG_DIR: config.logRoot,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
await new Promise<void>((resolve, reject) => {
  let out = '';
  worker.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    if (out.includes('polling task queue')) resolve();
  });
  worker.on('exit', (code) => reject(new Error(`the worker exited with ${code}: ${out}`)));
});
/** The kernel's high-water mark of the worker's resident memory. */
const peakRss = (): number =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
const { client, close } = await connectClient(config);

const overheads: number[] = [];
const events: number[] = [];
let timeouts = 0;

async function one(index: number): Promise<void> {
  const id = `bench-${process.pid}-${index}`;
  // One step per stage, so the steps run one after another and each one's overhead adds up.
  const stages = Array.from({ length: steps }, (_, i) => stage(`st${i}`, [labStep(id, `st${i}`, 's', 'true')]));
  const started = Date.now();
  await startBuild(
    client,
    config.taskQueue,
    {
      buildId: id,
      plan: plan(stages),
      source: { kind: 'none' },
      onlyStages: [],
      timeouts: { pendingSeconds: 120, runSeconds: 300, heartbeatSeconds: 20 },
    },
    { repository: 'bench', branch: 'main' },
  );
  const outcome = await awaitBuildOutcome(client, id);
  if (outcome.result?.status !== 'success') throw new Error(`${id}: ${outcome.error}`);
  // The commands are `true`: their critical path is ~0, so the wall time is overhead.
  overheads.push((Date.now() - started) / steps);
  let n = 0;
  for (const workflowId of [id, ...Array.from({ length: steps }, (_, i) => `${id}.st${i}.s`)]) {
    const history = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    n += history.length;
    timeouts += history.filter(
      (e) => e.activityTaskTimedOutEventAttributes || e.workflowTaskTimedOutEventAttributes,
    ).length;
  }
  events.push(n / steps);
}

const queue = Array.from({ length: builds }, (_, i) => i);
const wall = Date.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await one(next);
  }),
);

const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
console.log(
  `builds=${builds} steps/build=${steps} concurrency=${concurrency} wall=${((Date.now() - wall) / 1000).toFixed(1)}s`,
);
console.log(
  `overhead per step (build wall time / steps, ms): p50=${pct(overheads, 0.5).toFixed(0)} p90=${pct(overheads, 0.9).toFixed(0)} max=${Math.max(...overheads).toFixed(0)}`,
);
console.log(
  `history events per step: p50=${pct(events, 0.5).toFixed(1)} max=${Math.max(...events).toFixed(1)}; activity or workflow task timeouts: ${timeouts}`,
);
console.log(`worker process peak RSS: ${(peakRss() / 1024 / 1024).toFixed(0)} MB`);

worker.kill('SIGTERM');
await new Promise((resolve) => worker.on('exit', resolve));
await close();
