// Proves the lab's Temporal is real: a workflow with an activity runs through a real
// worker, and a dev server restarted on the same SQLite file still has its history.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { readLabStatus } from '../../src/config/lab-endpoints.ts';

const WORKFLOWS = fileURLToPath(new URL('./fixtures/trivial-workflow.ts', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function runTrivialWorkflow(address: string, workflowId: string): Promise<{ result: string; events: string[] }> {
  const taskQueue = `lab-trivial-${process.pid}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection, taskQueue, workflowsPath: WORKFLOWS,
    activities: { greet: async (name: string) => `hello, ${name}` },
  });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  try {
    const result = await worker.runUntil(client.workflow.execute('trivialWorkflow', { taskQueue, workflowId, args: ['lab'] }));
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    return { result: result as string, events: (history.events ?? []).map((e) => String(e.eventType)) };
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
}

describe('lab: Temporal', function () {
  this.timeout(120_000);

  it('runs a workflow with an activity on the lab server through a real worker', async () => {
    const status = readLabStatus();
    assert.ok(status?.TEMPORAL_ADDRESS, 'the lab is down: run `npm run lab:up`');
    const { result, events } = await runTrivialWorkflow(status.TEMPORAL_ADDRESS, `lab-trivial-${Date.now()}`);
    assert.equal(result, 'hello, lab');
    assert.ok(events.some((e) => /ACTIVITY_TASK_COMPLETED|ActivityTaskCompleted|^\d+$/.test(e)), `events: ${events.join(', ')}`);
    assert.ok(events.length >= 10);
  });

  it('keeps workflow history across a restart of the dev server (SQLite)', async () => {
    const cli = readLabStatus()?.TEMPORAL_CLI;
    assert.ok(cli, 'the lab is down: run `npm run lab:up`');
    const db = join(mkdtempSync(join(tmpdir(), 'temporal-db-')), 'history.db');
    const port = await freePort();
    const start = (): ChildProcess => spawn(cli, ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port),
      '--http-port', String(port + 1000 > 65000 ? port - 1000 : port + 1000), '--db-filename', db, '--log-level', 'error'], { stdio: 'ignore' });
    const waitUp = async (): Promise<void> => {
      for (let i = 0; i < 150; i++) {
        try {
          const c = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 500 });
          await c.workflowService.getSystemInfo({});
          await c.close();
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      throw new Error('the dev server did not come up');
    };
    const stop = (p: ChildProcess): Promise<void> => new Promise((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
    let server = start();
    try {
      await waitUp();
      const id = `restart-${Date.now()}`;
      const before = await runTrivialWorkflow(`127.0.0.1:${port}`, id);
      await stop(server);
      server = start();
      await waitUp();
      const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
      const history = await new Client({ connection }).workflow.getHandle(id).fetchHistory();
      await connection.close();
      assert.equal(history.events?.length, before.events.length, 'the same history after the restart');
    } finally {
      await stop(server);
    }
  });
});
