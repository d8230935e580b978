import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { startHttpEndpoint } from '../../../src/worker/http-endpoint.ts';
import { createWorkerLog } from '../../../src/worker/worker-log.ts';
import { WorkerMetrics } from '../../../src/worker/worker-metrics.ts';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

describe('worker operations', () => {
  it('logs one JSON object a line, multi-line messages included', () => {
    const out = capture();
    const log = createWorkerLog('json', out.stream, out.stream, () => new Date('2026-01-02T03:04:05.000Z'));
    log.info('polling task queue q', { taskQueue: 'q' });
    log.warn('line one\nline two');
    const lines = out.text().trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.deepEqual(JSON.parse(lines[0]!), {
      time: '2026-01-02T03:04:05.000Z',
      level: 'info',
      msg: 'polling task queue q',
      taskQueue: 'q',
    });
    assert.deepEqual(JSON.parse(lines[1]!), {
      time: '2026-01-02T03:04:05.000Z',
      level: 'warn',
      msg: 'line one\nline two',
    });
  });

  it('logs text as before: info on stdout, warnings on stderr', () => {
    const out = capture();
    const err = capture();
    const log = createWorkerLog('text', out.stream, err.stream);
    log.info('stopped', { ignored: true });
    log.warn('cannot sweep');
    assert.equal(out.text(), 'worker: stopped\n');
    assert.equal(err.text(), 'worker: warning: cannot sweep\n');
  });

  it('serves metrics, liveness and readiness over HTTP', async () => {
    const metrics = new WorkerMetrics();
    metrics.workflowStarted('build');
    metrics.workflowFinished('build', 'success', 3.5);
    metrics.podCreated();
    metrics.storeWrite(0.002, 'file');
    let ready = false;
    const endpoint = await startHttpEndpoint({
      host: '127.0.0.1',
      port: 0,
      health: { live: () => true, ready: () => ready },
      metrics: () => metrics.text(),
    });
    try {
      const base = `http://127.0.0.1:${endpoint.port}`;
      assert.equal((await fetch(`${base}/livez`)).status, 200);
      assert.equal((await fetch(`${base}/readyz`)).status, 503);
      ready = true;
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
      const text = await (await fetch(`${base}/metrics`)).text();
      assert.match(text, /^wharf_workflows_started_total\{kind="build"\} 1$/m);
      assert.match(text, /^wharf_workflows_started_total\{kind="step"\} 0$/m);
      assert.match(text, /^wharf_workflows_finished_total\{kind="build",outcome="success"\} 1$/m);
      assert.match(text, /^wharf_workflow_duration_seconds_sum\{kind="build",outcome="success"\} 3\.5$/m);
      assert.match(text, /^wharf_pods_total\{action="created"\} 1$/m);
      assert.match(text, /^wharf_store_write_seconds_count\{store="file"\} 1$/m);
      assert.equal((await fetch(`${base}/nope`)).status, 404);
    } finally {
      await endpoint.close();
    }
  });
});
