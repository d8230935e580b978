// Smoke run of bench/scale.ts at its smallest: two 1-step builds on one worker.
import assert from 'node:assert/strict';
import { runBench } from './run-bench.ts';

describe('bench/scale', function () {
  this.timeout(300_000);

  it('prints throughput, scheduling delay, timeouts, worker CPU and memory, request rates', async () => {
    const out = await runBench('scale.ts', ['--builds', '2', '--workers', '1', '--steps', '1']);
    for (const figure of [
      /^1 worker, 2 builds: wall\s+[\d.]+ s, [\d.]+ builds\/min, 0 failed/m,
      /^1 worker, 2 builds: step asked -> command started\s+p50=\d+ ms p95=\d+ ms/m,
      /^1 worker, 2 builds: timeouts in histories\s+0/m,
      /^1 worker, 2 builds: worker CPU\s+[\d.]+ s/m,
      /^1 worker, 2 builds: worker RSS\s+idle \d+ MB, peak \d+ MB/m,
      /^1 worker, 2 builds: kube-apiserver requests\s+[\d.]+\/s/m,
      /^1 worker, 2 builds: Temporal store requests\s+/m,
      /^## where it broke: nowhere/m,
    ])
      assert.match(out, figure, out);
  });
});
