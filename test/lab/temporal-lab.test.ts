// Proves the lab's Temporal is real: a workflow with an activity runs through a real
// worker (its workflow bundled from a .ts file), and a dev server restarted on the same
// SQLite file still has the workflow's history. The restart uses a dev server of its own
// (the lab's binary on other ports, its own db file), so the shared lab is not disturbed.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { labEnv } from './lab-env.ts';

const WORKFLOWS = fileURLToPath(new URL('./fixtures/trivial-workflow.ts', import.meta.url));
const { EventType } = proto.temporal.api.enums.v1;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
  });
}

interface Run {
  result: string;
  events: string[];
}

/** Event type names (`EVENT_TYPE_ACTIVITY_TASK_COMPLETED`, ...) of a workflow's history. */
async function historyEvents(client: Client, workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((e) => EventType[e.eventType ?? 0] ?? `unknown ${e.eventType}`);
}

async function runTrivialWorkflow(address: string, namespace: string, workflowId: string): Promise<Run> {
  const taskQueue = `lab-trivial-${process.pid}-${Date.now()}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  try {
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace,
      taskQueue,
      workflowsPath: WORKFLOWS,
      activities: { greet: async (name: string) => `hello, ${name}` },
    });
    const client = new Client({ connection, namespace });
    const result = await worker.runUntil(
      client.workflow.execute('trivialWorkflow', { taskQueue, workflowId, args: ['lab'] }),
    );
    return { result: result as string, events: await historyEvents(client, workflowId) };
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
}

function assertActivityHistory(events: string[]): void {
  for (const type of [
    'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
    'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
    'EVENT_TYPE_ACTIVITY_TASK_STARTED',
    'EVENT_TYPE_ACTIVITY_TASK_COMPLETED',
    'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
  ]) {
    assert.ok(events.includes(type), `${type} in the history: ${events.join(', ')}`);
  }
  assert.equal(events.at(-1), 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
}

describe('lab: Temporal', function () {
  this.timeout(120_000);

  it('runs a workflow with an activity on the lab server through a real worker', async () => {
    const lab = labEnv();
    const { result, events } = await runTrivialWorkflow(
      lab.temporalAddress,
      lab.temporalNamespace,
      `lab-trivial-${process.pid}-${Date.now()}`,
    );
    assert.equal(result, 'hello, lab');
    assertActivityHistory(events);
  });

  it('has the Web UI up and the Wharf search attributes registered', async () => {
    const lab = labEnv();
    const page = await fetch(lab.temporalUiUrl);
    assert.equal(page.status, 200);
    const connection = await Connection.connect({ address: lab.temporalAddress });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace: lab.temporalNamespace,
      });
      for (const name of ['WharfRepository', 'WharfBranch', 'WharfEnvironment', 'WharfBuildStatus', 'WharfFile']) {
        assert.equal(
          customAttributes?.[name],
          proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          name,
        );
      }
    } finally {
      await connection.close();
    }
  });

  it('keeps workflow history across a restart of a dev server (SQLite), on a server of its own', async () => {
    const cli = labEnv().temporalCli;
    const dir = mkdtempSync(join(tmpdir(), 'temporal-db-'));
    const port = await freePort();
    const httpPort = await freePort();
    const address = `127.0.0.1:${port}`;
    const start = (): ChildProcess =>
      spawn(
        cli,
        [
          'server',
          'start-dev',
          '--headless',
          '--ip',
          '127.0.0.1',
          '--port',
          String(port),
          '--http-port',
          String(httpPort),
          '--db-filename',
          join(dir, 'history.db'),
          '--log-level',
          'error',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    const waitUp = async (server: ChildProcess): Promise<void> => {
      let stderr = '';
      server.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      for (let i = 0; i < 150; i++) {
        if (server.exitCode !== null) throw new Error(`the dev server exited with ${server.exitCode}: ${stderr}`);
        try {
          const c = await Connection.connect({ address, connectTimeout: 500 });
          await c.workflowService.getSystemInfo({});
          await c.close();
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      throw new Error(`the dev server did not come up on ${address}: ${stderr}`);
    };
    const stop = (server: ChildProcess): Promise<void> =>
      new Promise((resolve) => {
        if (server.exitCode !== null || server.signalCode !== null) return resolve();
        server.once('exit', () => resolve());
        server.kill('SIGTERM');
      });

    let server = start();
    try {
      await waitUp(server);
      const id = `restart-${process.pid}-${Date.now()}`;
      const before = await runTrivialWorkflow(address, 'default', id);
      assertActivityHistory(before.events);
      await stop(server);
      server = start();
      await waitUp(server);
      const connection = await Connection.connect({ address });
      try {
        const client = new Client({ connection });
        assert.deepEqual(await historyEvents(client, id), before.events, 'the same history after the restart');
        assert.equal(await client.workflow.getHandle(id).result(), 'hello, lab');
      } finally {
        await connection.close();
      }
    } finally {
      await stop(server);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
