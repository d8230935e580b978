// What a build keeps secret, checked on the lab as a user runs it: secret values reach the
// step (through its build's Secret) but no log, no message and no workflow history; inputs
// are also environment variables a command can quote; with codec keys, the history holds
// ciphertext only.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPayloadConverter } from '@temporalio/common';
import { awaitBuildOutcome } from '../../src/client/build-outcome.ts';
import { startBuild } from '../../src/client/start-build.ts';
import { AesGcmCodec } from '../../src/codec/aes-gcm-codec.ts';
import { fromJson } from '../../src/codec/codec-server.ts';
import { historyTexts, rawHistory, startPayloads } from '../support/history-text.ts';
import { startInProcessWorker } from '../support/in-process-worker.ts';
import { connectLab, type Lab } from '../support/lab.ts';
import { labStep } from '../support/lab-plans.ts';
import { buildInput, plan, stage } from '../support/plans.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin/wharf-temporal.js');

describe('secrets on the lab', function () {
  this.timeout(180_000);
  let lab: Lab;

  before(() => {
    lab = connectLab();
  });

  function cli(
    args: string[],
    env: Record<string, string>,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: ROOT,
        env: { ...process.env, TEMPORAL_ADDRESS: '', NO_COLOR: '1', ...env },
      });
      let [stdout, stderr] = ['', ''];
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('a build with a password input, REG_PASS and a variable marked secret: none of them in logs, plan or histories', async () => {
    const secrets = { token: 'token-value-3f9a', reg: 'reg-pass-value-77c1', key: 'api-key-value-5e2d' };
    const msg = '"; touch pwned; echo "';
    const env = {
      WHARF_TEMPORAL_TASK_QUEUE: `security-${process.pid}`,
      WHARF_TEMPORAL_LOG_DIR: mkdtempSync(join(tmpdir(), 'security-logs-')),
      WHARF_VAR_REG_PASS: secrets.reg,
      WHARF_VAR_API_KEY: secrets.key,
      WHARF_TEMPORAL_SECRET_VARS: 'API_KEY',
    };
    const file = join(ROOT, 'test/e2e/fixtures/secrets.wharf-ci.yml');
    const args = [file, '--no-source', '--input', `token=${secrets.token}`, '--input', `msg=${msg}`];
    const planned = await cli(['plan', ...args.filter((a) => a !== '--no-source')], env);
    assert.equal(planned.code, 0, planned.stderr);
    const r = await cli(['run', ...args], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^\[build\/use-secrets\] token \*\*\* reg \*\*\* key \*\*\*$/m,
      'the values reached the step (and were masked)',
    );
    assert.match(r.stdout, /^\[build\/use-secrets\] 17$/m, 'the password arrived whole');
    // Inputs: pasted into the script as text, as in Wharf; quoted from the environment, intact.
    assert.match(r.stdout, /^\[build\/use-secrets\] quoted: "; touch pwned; echo "$/m);
    assert.match(
      r.stdout,
      /^\[build\/use-secrets\] pwned$/m,
      'the pasted form runs what the value says, as Wharf does',
    );
    const id = /build (\S+) started/.exec(r.stdout)?.[1] ?? assert.fail(r.stdout);
    const texts = [
      planned.stdout,
      planned.stderr,
      r.stdout,
      r.stderr,
      ...historyTexts(lab, id),
      ...historyTexts(lab, `${id}.build.use-secrets`),
    ];
    for (const [name, value] of Object.entries(secrets)) {
      assert.ok(!texts.some((t) => t.includes(value)), `${name}'s value is in no plan, output or history`);
    }
  });

  it('refuses a step that names a service account the worker does not allow, before its pod exists', async () => {
    const env = {
      WHARF_TEMPORAL_TASK_QUEUE: `policy-${process.pid}`,
      WHARF_TEMPORAL_LOG_DIR: mkdtempSync(join(tmpdir(), 'policy-logs-')),
    };
    const r = await cli(['run', join(ROOT, 'test/e2e/fixtures/policy.wharf-ci.yml'), '--no-source'], env);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /step build\/as-worker: serviceAccount: service account 'wharf-worker' is not allowed by this worker/,
    );
    assert.ok(!/^\[build\/as-worker\] never$/m.test(r.stdout));
    const id = /build (\S+) started/.exec(r.stdout)?.[1] ?? assert.fail(r.stdout);
    const events = rawHistory(lab, `${id}.build.as-worker`);
    for (const activity of ['awaitPodReady', 'transferSource', 'runCommand'])
      assert.ok(!events.includes(`"activityType":{"name":"${activity}"}`), 'no step went past pod creation');
  });

  it('with codec keys, the history holds no plain input; the codec decodes it; the build runs', async () => {
    const keys = [
      { id: 'old', key: randomBytes(32) },
      { id: 'current', key: randomBytes(32) },
    ];
    const worker = await startInProcessWorker(lab, 'codec', 5, { codecKeys: keys });
    try {
      const id = `e2e-codec-${process.pid}-${Date.now()}`;
      const marker = `codec-marker-${randomBytes(4).toString('hex')}`;
      await startBuild(
        worker.client,
        worker.config.taskQueue,
        buildInput(id, plan([stage('build', [labStep(id, 'build', 'echo', `echo ${marker}-out`)])])),
        { repository: 'e2e', branch: 'main' },
      );
      const outcome = await awaitBuildOutcome(worker.client, id);
      assert.equal(outcome.result?.status, 'success', outcome.error ?? '');
      assert.deepEqual(
        outcome.result?.stages[0]?.steps[0]?.logTail,
        [`${marker}-out`],
        'the result decodes with the codec',
      );
      for (const wf of [id, `${id}.build.echo`]) {
        assert.ok(!historyTexts(lab, wf).some((t) => t.includes(marker)), `no plain payload in ${wf}'s history`);
      }
      const [input] = startPayloads(lab, id);
      assert.equal(Buffer.from(input!.metadata.encoding!, 'base64').toString(), 'binary/encrypted');
      assert.equal(Buffer.from(input!.metadata['encryption-key-id']!, 'base64').toString(), 'current');
      const [decoded] = await new AesGcmCodec(keys).decode([fromJson(input!)]);
      assert.ok(JSON.stringify(defaultPayloadConverter.fromPayload(decoded!)).includes(marker));
    } finally {
      await worker.stop();
    }
  });
});
