// How far workers carry concurrent builds: N builds of 5 one-step stages started at
// once (N = 10, 50, 100, 200, ... until a round breaks: a timeout, a failed build, or
// over --max-minutes), on one worker process, then on two. Per round: builds per minute,
// p95 from a step being asked for to its command starting (from the histories), timeouts
// (must be 0), worker CPU (share of one core) and peak RSS (each round starts fresh
// workers), idle RSS, kube-apiserver requests/s (its /metrics), Temporal store requests/s
// (its persistence_requests), log records stored/s, and the machine's CPU by process.
// Timeouts are told by kind: a sticky queue's schedule-to-start timeout only hands a task
// to any worker, a start-to-close one is a task a worker took and did not answer.
// Usage: node bench/scale.ts [--builds 10,50,100,200] [--workers 1,2] [--steps 5]
//        [--seconds 0] [--max-minutes 10] [--max-concurrent-steps 200] [--keep-going]
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { awaitBuildOutcome } from '../src/client/build-outcome.ts';
import { startBuild } from '../src/client/start-build.ts';
import { connectClient } from '../src/client/temporal-client.ts';
import { FileStore } from '../src/store/file-store.ts';
import { connectLab } from '../test/support/lab.ts';
import { figure, header, ms, pct } from './lib/figures.ts';
import { cpuBetween, cpuSnapshot } from './lib/process-cpu.ts';
import { apiServerRequests, temporalMetricsUrl, temporalStoreRequests } from './lib/metrics.ts';
import {
  addTimeouts,
  describeTimeouts,
  historyFigures,
  noTimeouts,
  readStep,
  shapedPlan,
  totalTimeouts,
  type Shape,
} from './lib/shapes.ts';
import { WorkerProcess } from './lib/worker-process.ts';

const { values } = parseArgs({
  options: {
    builds: { type: 'string', default: '10,50,100,200' },
    workers: { type: 'string', default: '1,2' },
    steps: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '0' },
    'max-minutes': { type: 'string', default: '10' },
    'max-concurrent-steps': { type: 'string', default: '200' },
    'keep-going': { type: 'boolean', default: false },
  },
});
const rounds = values.builds.split(',').map(Number);
const workerCounts = values.workers.split(',').map(Number);
const shape: Shape = { stages: Number(values.steps), steps: 1, seconds: Number(values.seconds) };
const maxMs = Number(values['max-minutes']) * 60_000;
const MB = 2 ** 20;

const lab = connectLab();
const metricsUrl = temporalMetricsUrl();
header(
  `bench/scale: N concurrent builds of ${shape.stages} one-step stages (${shape.seconds} s commands), workers as processes of their own`,
);

const tag = (Date.now() % 1e8).toString(36);
const breaks: string[] = [];
for (const workers of workerCounts) {
  for (const n of rounds) {
    const config = lab.config(`bench-scale-${workers}w-${n}`);
    const logs = new FileStore(config.logRoot);
    const pool = Array.from(
      { length: workers },
      (_, i) =>
        new WorkerProcess({ config, identity: `w${i}`, maxConcurrentSteps: Number(values['max-concurrent-steps']) }),
    );
    await Promise.all(pool.map((w) => w.start()));
    await new Promise((r) => setTimeout(r, 2000));
    const idleRss = Math.max(...pool.map((w) => w.rss()));
    const { client, close } = await connectClient(config);
    const cpu0 = pool.reduce((s, w) => s + w.cpuSeconds(), 0);
    const api0 = await apiServerRequests(lab.kc);
    const store0 = await temporalStoreRequests(metricsUrl);
    const load0 = loadavg()[0]!;
    const machine0 = cpuSnapshot();
    const ids = Array.from({ length: n }, (_, i) => `sc-${tag}-${workers}w${n}-${i}`);
    const began = Date.now();
    await Promise.all(
      ids.map((id) =>
        startBuild(
          client,
          config.taskQueue,
          {
            buildId: id,
            plan: shapedPlan(id, shape),
            source: { kind: 'none' },
            onlyStages: [],
            timeouts: { pendingSeconds: 300, runSeconds: 600, heartbeatSeconds: 20 },
          },
          { repository: 'bench', branch: 'main' },
        ),
      ),
    );
    let peakLoad = load0;
    const sampler = setInterval(() => (peakLoad = Math.max(peakLoad, loadavg()[0]!)), 1000);
    const deadline = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), maxMs).unref());
    const outcomes = await Promise.race([Promise.all(ids.map((id) => awaitBuildOutcome(client, id))), deadline]);
    clearInterval(sampler);
    const elapsed = Date.now() - began;
    const cpu = pool.reduce((s, w) => s + w.cpuSeconds(), 0) - cpu0;
    const machine = cpuBetween(machine0, cpuSnapshot());
    const peakRss = Math.max(...pool.map((w) => w.peakRss()));
    const api = (await apiServerRequests(lab.kc)) - api0;
    const store = (await temporalStoreRequests(metricsUrl)) - store0;
    const label = `${workers} worker${workers > 1 ? 's' : ''}, ${n} builds`;
    console.log(`\n## ${label}`);
    if (outcomes === 'late') {
      figure(`${label}: not done after`, `${values['max-minutes']} min`);
      breaks.push(`${label}: not done within ${values['max-minutes']} min`);
      for (const id of ids)
        await client.workflow
          .getHandle(id)
          .terminate('bench/scale: over time')
          .catch(() => {});
    } else {
      const failed = outcomes.filter((o) => o.result?.status !== 'success');
      const timeouts = noTimeouts();
      const delays: number[] = [];
      for (const id of ids) {
        const h = await historyFigures(client, id, shape);
        addTimeouts(timeouts, h.timeouts);
        delays.push(...h.scheduledToCommand);
      }
      let records = 0;
      for (const id of ids) for (const ref of await logs.steps(id)) records += (await readStep(logs, ref)).length;
      figure(
        `${label}: wall`,
        `${(elapsed / 1000).toFixed(1)} s, ${(n / (elapsed / 60_000)).toFixed(1)} builds/min, ${failed.length} failed`,
      );
      figure(
        `${label}: step asked -> command started`,
        `p50=${ms(pct(delays, 0.5))} p95=${ms(pct(delays, 0.95))} max=${ms(Math.max(...delays))}`,
      );
      figure(`${label}: timeouts in histories`, describeTimeouts(timeouts));
      const share = (seconds: number): string => `${((seconds / (elapsed / 1000)) * 100).toFixed(0)}%`;
      figure(`${label}: worker CPU`, `${cpu.toFixed(1)} s, ${share(cpu)} of one core (${workers} worker(s) together)`);
      figure(`${label}: worker RSS`, `idle ${(idleRss / MB).toFixed(0)} MB, peak ${(peakRss / MB).toFixed(0)} MB`);
      figure(
        `${label}: kube-apiserver requests`,
        `${(api / (elapsed / 1000)).toFixed(1)}/s (${api} in all, ${(api / (n * shape.stages)).toFixed(1)} per step)`,
      );
      figure(
        `${label}: Temporal store requests`,
        Number.isFinite(store)
          ? `${(store / (elapsed / 1000)).toFixed(1)}/s (${(store / (n * shape.stages)).toFixed(1)} per step)`
          : 'n/a (metrics not reachable)',
      );
      figure(`${label}: log records stored`, `${(records / (elapsed / 1000)).toFixed(1)}/s`);
      figure(`${label}: machine load`, `${load0.toFixed(2)} at start, peak ${peakLoad.toFixed(2)}`);
      const cores = availableParallelism();
      figure(
        `${label}: machine CPU`,
        `${machine.busy.toFixed(1)} s busy, ${share(machine.busy)} of one core (${cores} cores); by process: ` +
          machine.byName
            .slice(0, 8)
            .map(([name, seconds]) => `${name} ${seconds.toFixed(1)} s (${share(seconds)})`)
            .join(', '),
      );
      if (totalTimeouts(timeouts) || failed.length)
        breaks.push(`${label}: timeouts ${describeTimeouts(timeouts)}, ${failed.length} failed build(s)`);
    }
    await Promise.all(pool.map((w) => w.stop()));
    await close();
    if (!values['keep-going'] && breaks.length && breaks.at(-1)!.startsWith(label)) break;
  }
}
console.log(`\n## where it broke: ${breaks.length ? breaks.join('; ') : 'nowhere in these rounds'}`);
process.exit(0);
