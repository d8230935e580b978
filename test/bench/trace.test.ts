// Smoke run of bench/trace.ts at its smallest: one 1x1 build; checks the history and the
// hops it prints.
import assert from 'node:assert/strict';
import { runBench } from './run-bench.ts';

describe('bench/trace', function () {
  this.timeout(300_000);

  it('prints the histories of a build and its step, the time of each hop and where the workflow tasks spent it', async () => {
    const out = await runBench('trace.ts', ['--shape', '1x1', '--runs', '1']);
    for (const figure of [
      /^### tr-\S+: \d+ events$/m,
      /^### tr-\S+\.s0\.p0: \d+ events$/m,
      /StartChildWorkflowExecutionInitiated/,
      /^\s+\d+ ms {2}runCommand started -> runCommand completed/m,
      /^\s+\d+ ms {2}build: workflow tasks held by the worker/m,
      /^\s+\d+ ms {2}build: workflow tasks waiting to be taken/m,
      /^per step\s+workflow tasks p50=\d+, activities \d+, local activities \d+/m,
    ])
      assert.match(out, figure, out);
  });
});
