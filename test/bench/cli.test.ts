// Smoke run of bench/cli.ts: one run of each command; checks that it prints every figure.
import assert from 'node:assert/strict';
import { runBench } from './run-bench.ts';

describe('bench/cli', function () {
  this.timeout(180_000);

  it('prints p50/p95 of each command, with the machine load', async () => {
    const out = await runBench('cli.ts', ['--runs', '1']);
    assert.match(out, /^# machine: .*loadavg at start: [\d.]+ /m);
    for (const name of ['--help', 'validate', 'plan', 'run --detach', 'status', 'logs']) {
      assert.match(
        out,
        new RegExp(
          `^${name.replace(/-/g, '\\-')}\\s+p50=\\d+ ms p95=\\d+ ms max=\\d+ ms \\(n=1\\)\\s+\\[load [\\d.]+`,
          'm',
        ),
        `no figure for ${name} in:\n${out}`,
      );
    }
  });
});
