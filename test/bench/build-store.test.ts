// Smoke run of bench/build-store.ts at its smallest: checks that it prints every figure.
import assert from 'node:assert/strict';
import { runBench } from './run-bench.ts';

describe('bench/build-store', function () {
  this.timeout(120_000);

  it('prints write throughput and follow latency for the folder and PostgreSQL', async () => {
    const out = await runBench('build-store.ts', ['--lines', '2000', '--samples', '5']);
    assert.match(out, /^folder: +write \d+ lines\/s; follow latency p50 [\d.]+ ms, p95 [\d.]+ ms$/m, out);
    assert.match(
      out,
      /^PostgreSQL: write \d+ lines\/s; follow latency \(LISTEN\/NOTIFY\) p50 [\d.]+ ms, p95 [\d.]+ ms$/m,
      out,
    );
  });
});
