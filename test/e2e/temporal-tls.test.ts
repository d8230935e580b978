// The worker and the CLI against a Temporal endpoint that requires TLS: the lab's TLS
// front (nginx) with client-certificate verification, and one that checks an API key.
// The settings come as Temporal users give them: TEMPORAL_* variables and a TOML profile.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPods, connectLab, type Lab } from '../support/lab.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin/wharf-temporal.js');
const FIXTURE = join(ROOT, 'test/e2e/fixtures/pass-then-fail.wharf-ci.yml');

interface Run {
  code: number | null;
  output: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('Temporal over TLS on the lab', function () {
  this.timeout(240_000);
  let lab: Lab;
  let pki: string;
  let base: NodeJS.ProcessEnv;
  const dir = mkdtempSync(join(tmpdir(), 'tls-'));

  before(() => {
    lab = connectLab();
    if (!lab.status.TEMPORAL_MTLS_ADDRESS) throw new Error("the lab's TLS front is down: run `npm run lab:up`");
    pki = lab.status.TEMPORAL_TLS_DIR!;
    // Only what these tests set: no TEMPORAL_* from the machine running them.
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
    base = {
      ...clean,
      HOME: dir,
      KUBECONFIG: lab.status.KUBECONFIG!,
      WHARF_TEMPORAL_NAMESPACE: lab.namespace,
      WHARF_TEMPORAL_TASK_QUEUE: `tls-${process.pid}`,
      WHARF_TEMPORAL_LOG_DIR: join(dir, 'logs'),
      NO_COLOR: '1',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(pki, 'ca.crt'),
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
    };
  });

  it('runs a build with the worker and the CLI both on mTLS (environment and TOML profile)', async () => {
    const profile = join(dir, 'temporal.toml');
    writeFileSync(
      profile,
      [
        '[profile.lab-mtls]',
        `address = "${lab.status.TEMPORAL_MTLS_ADDRESS}"`,
        'namespace = "default"',
        '[profile.lab-mtls.tls]',
        `client_cert_path = "${join(pki, 'client.crt')}"`,
        `client_key_path = "${join(pki, 'client.key')}"`,
        `server_ca_cert_path = "${join(pki, 'ca.crt')}"`,
        'server_name = "localhost"',
        '',
      ].join('\n'),
    );
    const worker: ChildProcess = spawn(process.execPath, [CLI, 'worker'], {
      cwd: ROOT,
      env: {
        ...base,
        TEMPORAL_ADDRESS: lab.status.TEMPORAL_MTLS_ADDRESS!,
        TEMPORAL_TLS_CLIENT_CERT_PATH: join(pki, 'client.crt'),
        TEMPORAL_TLS_CLIENT_KEY_PATH: join(pki, 'client.key'),
      },
    });
    let out = '';
    worker.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    worker.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    try {
      for (let i = 0; i < 600 && !out.includes('polling task queue'); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(
        out,
        new RegExp(
          `polling task queue tls-${process.pid} on ${lab.status.TEMPORAL_MTLS_ADDRESS!.replaceAll('.', '\\.')}`,
        ),
        out,
      );
      const run = await cli(['run', FIXTURE, '--stage', 'first', '--no-worker'], {
        ...base,
        TEMPORAL_CONFIG_FILE: profile,
        TEMPORAL_PROFILE: 'lab-mtls',
      });
      assert.equal(run.code, 0, `${run.output}\nworker:\n${out}`);
      assert.match(run.output, /^\[first\/ok\] fine$/m);
      const id = /build (\S+) started/.exec(run.output)?.[1] ?? assert.fail(run.output);
      assert.deepEqual(await buildPods(lab, id), []);
      // The proxy saw the worker's and the CLI's calls, with their client certificate.
      const access = readFileSync(join(pki, '..', 'access.log'), 'utf8');
      assert.match(access, /POST \/temporal\.api\.workflowservice\.v1\.WorkflowService\/PollWorkflowTaskQueue/);
      assert.match(access, /POST \/temporal\.api\.workflowservice\.v1\.WorkflowService\/StartWorkflowExecution/);
    } finally {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    }
  });

  it('fails at start without the client certificate, naming the server and the setting', async () => {
    const env = { ...base, TEMPORAL_ADDRESS: lab.status.TEMPORAL_MTLS_ADDRESS! };
    const at = `at ${lab.status.TEMPORAL_MTLS_ADDRESS!.replaceAll('.', '\\.')}`;
    const worker = await cli(['worker'], env, 60_000);
    assert.equal(worker.code, 1, worker.output);
    assert.match(
      worker.output,
      new RegExp(
        `^wharf-temporal worker: cannot connect to the Temporal server ${at} \\(.*400.*\\); the server requires a client certificate: set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH$`,
        'm',
      ),
    );
    assert.doesNotMatch(worker.output, /\n\s+at /, 'no stack trace');
    const stranger = await cli(
      ['list'],
      {
        ...env,
        TEMPORAL_TLS_CLIENT_CERT_PATH: join(pki, 'stranger.crt'),
        TEMPORAL_TLS_CLIENT_KEY_PATH: join(pki, 'stranger.key'),
      },
      60_000,
    );
    assert.equal(stranger.code, 1, stranger.output);
    assert.match(
      stranger.output,
      new RegExp(
        `^wharf-temporal list: cannot connect to the Temporal server ${at} .*; the server did not accept the client certificate \\(TEMPORAL_TLS_CLIENT_CERT_PATH\\)$`,
        'm',
      ),
    );
  });

  it('sends the API key as the SDK does (authorization: Bearer), and names it when refused', async () => {
    const key = readFileSync(join(pki, 'api-key'), 'utf8').trim();
    const env = { ...base, TEMPORAL_ADDRESS: lab.status.TEMPORAL_APIKEY_ADDRESS! };
    const ok = await cli(['list'], { ...env, TEMPORAL_API_KEY: key }, 60_000);
    assert.equal(ok.code, 0, ok.output);
    assert.match(ok.output, /^BUILD +STATUS/m);
    const worker = spawn(process.execPath, [CLI, 'worker'], { cwd: ROOT, env: { ...env, TEMPORAL_API_KEY: key } });
    let out = '';
    worker.stdout.on('data', (c: Buffer) => (out += c.toString()));
    worker.stderr.on('data', (c: Buffer) => (out += c.toString()));
    for (let i = 0; i < 600 && !out.includes('polling task queue') && worker.exitCode === null; i++)
      await new Promise((r) => setTimeout(r, 100));
    worker.kill('SIGTERM');
    assert.equal(await new Promise((r) => worker.once('exit', r)), 0, out);
    assert.match(out, /polling task queue/);
    const wrong = await cli(['list'], { ...env, TEMPORAL_API_KEY: `${key}-wrong` }, 60_000);
    assert.equal(wrong.code, 1);
    assert.match(wrong.output, /UNAUTHENTICATED.*; the server refused the API key \(TEMPORAL_API_KEY\)/);
    const none = await cli(['list'], env, 60_000);
    assert.equal(none.code, 1);
    assert.match(none.output, /the server wants credentials: an API key \(TEMPORAL_API_KEY\)/);
  });
});
