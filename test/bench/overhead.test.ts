// Smoke run of bench/overhead.ts at its smallest: one 1x1 build of ours and of the floor,
// a fan-out of 2, the image-pull failure and two worker kills; checks every figure prints.
import assert from 'node:assert/strict';
import { runBench } from './run-bench.ts';

describe('bench/overhead', function () {
  this.timeout(300_000);

  it('prints ours beside the floor, fan-out, the image-pull failure and the resume after a kill', async () => {
    const out = await runBench('overhead.ts', [
      '--shapes',
      '1x1',
      '--seconds',
      '0',
      '--runs',
      '1',
      '--fan-out',
      '2',
      '--heartbeat',
      '3',
    ]);
    for (const figure of [
      /^1x1 0s ours  overhead per step\s+p50=\d+ ms/m,
      /^1x1 0s floor overhead per step\s+p50=\d+ ms/m,
      /^1x1 0s ours  start -> first command\s+p50=\d+ ms/m,
      /^1x1 0s ours \/ floor\s+wall x[\d.]+/m,
      /^1x1 0s history events per step\s+p50=[\d.]+ .*timeouts 0/m,
      /^fan-out 2 ours .*p50=\d+ ms/m,
      /^image-pull failure reported after\s+\d+ ms; status failed; says why/m,
      /^kill -> command re-attached by the other worker\s+p50=\d+ ms/m,
      /^kill at any moment -> re-attached\s+p50=\d+ ms/m,
      /\[load [\d.]+ [\d.]+ [\d.]+\]/,
    ])
      assert.match(out, figure, out);
  });
});
