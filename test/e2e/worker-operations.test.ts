// The worker as operations see it, on the lab: JSON logs, the health endpoint the
// Deployment probes, and the Prometheus metrics after a real build (scraped from the
// running worker's own port).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPods, connectLab, type Lab } from '../support/lab.ts';
import { gatedTicks, TICKS } from '../support/ticks.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin/wharf-temporal.js');
const FIXTURE = join(ROOT, 'test/e2e/fixtures/pass-then-fail.wharf-ci.yml');

/** The value of one series in Prometheus text, 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('worker operations on the lab', function () {
  this.timeout(180_000);
  let lab: Lab;
  let env: NodeJS.ProcessEnv;
  let worker: ChildProcess;
  let out = '';
  let base = '';

  before(async () => {
    lab = connectLab();
    env = {
      ...process.env,
      TEMPORAL_ADDRESS: '',
      WHARF_TEMPORAL_TASK_QUEUE: `ops-${process.pid}`,
      WHARF_TEMPORAL_LOG_DIR: mkdtempSync(join(tmpdir(), 'ops-logs-')),
      NO_COLOR: '1',
    };
    worker = spawn(
      process.execPath,
      [CLI, 'worker', '--log-format', 'json', '--http-port', '0', '--http-host', '127.0.0.1'],
      { cwd: ROOT, env },
    );
    worker.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    worker.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    for (let i = 0; i < 600 && !out.includes('polling task queue'); i++) await new Promise((r) => setTimeout(r, 100));
    const polling = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; httpPort?: number })
      .find((l) => l.msg.startsWith('polling task queue'));
    assert.ok(polling?.httpPort, `the worker says where it serves metrics: ${out}`);
    base = `http://127.0.0.1:${polling.httpPort}`;
  });

  after(() => {
    if (worker.exitCode === null) worker.kill('SIGKILL');
  });

  const scrape = async (): Promise<string> => (await fetch(`${base}/metrics`)).text();

  /** A CLI command run to its end, with its exit code and output. */
  const cliOutput = (args: string[]): Promise<{ code: number | null; output: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.on('close', (code) => resolve({ code, output }));
    });

  it('is live and ready while it polls', async () => {
    assert.equal((await fetch(`${base}/livez`)).status, 200);
    let ready = 0;
    for (let i = 0; i < 50 && ready !== 200; i++) {
      ready = (await fetch(`${base}/readyz`)).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(ready, 200);
  });

  it('counts a build, its steps by outcome, and its pods', async () => {
    const before = await scrape();
    const run = await cliOutput(['run', FIXTURE, '--no-worker']);
    assert.equal(run.code, 1, run.output);
    const buildId = /build (\S+) started/.exec(run.output)?.[1] ?? assert.fail(run.output);
    assert.deepEqual(await buildPods(lab, buildId), []);
    // The build's end is counted as its last workflow task completes: give it a moment.
    let after = await scrape();
    for (
      let i = 0;
      i < 50 &&
      sample(after, 'wharf_workflows_finished_total{kind="build",outcome="failed"}') ===
        sample(before, 'wharf_workflows_finished_total{kind="build",outcome="failed"}');
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
      after = await scrape();
    }
    const delta = (series: string): number => sample(after, series) - sample(before, series);
    assert.equal(delta('wharf_workflows_started_total{kind="build"}'), 1);
    assert.equal(delta('wharf_workflows_started_total{kind="step"}'), 2);
    assert.equal(delta('wharf_workflows_finished_total{kind="build",outcome="failed"}'), 1);
    assert.equal(delta('wharf_workflows_finished_total{kind="step",outcome="success"}'), 1);
    assert.equal(delta('wharf_workflows_finished_total{kind="step",outcome="failed"}'), 1);
    assert.equal(delta('wharf_workflow_duration_seconds_count{kind="step",outcome="failed"}'), 1);
    assert.ok(delta('wharf_workflow_duration_seconds_sum{kind="build",outcome="failed"}') > 0);
    assert.equal(delta('wharf_pods_total{action="created"}'), 2);
    assert.ok(delta('wharf_pods_total{action="deleted"}') >= 2, 'both step pods deleted (sweeps may add more)');
    // The Temporal runtime's own metrics come on the same port.
    assert.match(after, /^temporal_workflow_completed_total\{.*workflow_type="stepWorkflow".*\} \d+$/m);
    assert.match(after, /^temporal_worker_task_slots_available\{/m);
  });

  it('stops on SIGTERM: not ready any more while it drains, then exit code 0, every log line JSON', async () => {
    // A build whose command waits on a gate keeps the worker draining, however slow the
    // machine: readiness must be down all that time.
    const { counter, gate, inputs } = gatedTicks();
    const { code, output } = await cliOutput(['run', TICKS, '--detach', '--no-source', ...inputs]);
    assert.equal(code, 0, output);
    const buildId = /build (\S+) started/.exec(output)?.[1] ?? assert.fail(output);
    for (let i = 0; i < 600 && !existsSync(counter); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(existsSync(counter), 'the command started');

    const exited = new Promise<number | null>((resolve) => worker.on('exit', resolve));
    worker.kill('SIGTERM');
    // The signal comes asynchronously: the worker says it has it in the same turn as it
    // stops being ready.
    for (let i = 0; i < 300 && !out.includes('"shutting down"'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(out, /"shutting down"/);
    assert.equal((await fetch(`${base}/readyz`)).status, 503, 'readyz while the worker drains');
    assert.equal((await fetch(`${base}/livez`)).status, 200, 'livez while the worker drains');
    writeFileSync(gate, '');
    assert.equal(await exited, 0, out);
    const lines = out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { time: string; level: string; msg: string });
    assert.ok(lines.every((l) => l.time && l.level && typeof l.msg === 'string'));
    assert.deepEqual(
      lines.slice(-2).map((l) => l.msg),
      ['shutting down', 'stopped'],
    );
    await assert.rejects(fetch(`${base}/readyz`), 'the port is closed once the worker stopped');

    // Another worker finishes the build the first one let go of.
    worker = spawn(process.execPath, [CLI, 'worker'], { cwd: ROOT, env });
    const follow = await cliOutput(['logs', buildId, '--follow']);
    assert.equal(follow.code, 0, follow.output);
    assert.match(follow.output, new RegExp(`^build ${buildId}: success$`, 'm'));
    assert.equal(readFileSync(counter, 'utf8'), 'run\n', 'the command ran once');
    assert.deepEqual(await buildPods(lab, buildId), []);
  });
});
