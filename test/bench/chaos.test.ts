// Smoke run of bench/chaos.ts at its smallest: two builds, two worker kills, no restarts
// of the lab's servers (the other tests share them).
import assert from 'node:assert/strict';
import { runBench } from './run-bench.ts';

describe('bench/chaos', function () {
  this.timeout(300_000);

  it('prints builds started and correct, commands run twice, lines lost, orphans and the longest stall', async () => {
    const out = await runBench('chaos.ts', [
      '--builds',
      '2',
      '--concurrency',
      '2',
      '--kills',
      '2',
      '--no-restarts',
      '--max-minutes',
      '4',
    ]);
    for (const figure of [
      /^builds started\s+\d+/m,
      /^builds finished correct\s+(\d+) of \1\b/m,
      /^worker SIGKILLs\s+2\b/m,
      /^commands that ran twice\s+0\s/m,
      /^log lines lost \/ duplicated\s+0 \/ 0/m,
      /^orphan pods at the end\s+0/m,
      /^longest stall\s+\d+ ms/m,
    ])
      assert.match(out, figure, out);
  });
});
