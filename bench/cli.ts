// How fast the command line answers, as a user sees it: each command as a whole process
// (`node bin/wharf-temporal.js ...`), run several times, p50/p95 of its wall time.
//   --help, validate, plan                      no server needed
//   run --detach, status, logs                  against the lab's Temporal server (--no-lab: skipped)
// `run --detach` starts builds on a task queue no worker polls; they are terminated at
// the end. status and logs read one build run to its end first.
// Usage: node bench/cli.ts [--runs N] [--bin PATH] [--no-lab]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connectClient } from '../src/client/temporal-client.ts';
import { readLabStatus } from '../src/cli/local-lab.ts';
import { figure, header, spread } from './lib/figures.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    bin: { type: 'string', default: fileURLToPath(new URL('../bin/wharf-temporal.js', import.meta.url)) },
    'no-lab': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const bin = values.bin;

const dir = mkdtempSync(join(tmpdir(), 'bench-cli-'));
const file = join(dir, '.wharf-ci.yml');
writeFileSync(
  file,
  'hello:\n  say:\n    container:\n      image: alpine:3\n      cmds:\n        - echo hello from the bench\n',
);

const lab = values['no-lab'] ? null : readLabStatus();
if (!values['no-lab'] && !lab?.TEMPORAL_ADDRESS)
  throw new Error('the lab is down: run `npm run lab:up` (or pass --no-lab)');
const taskQueue = `bench-cli-${process.pid}`;
const env: NodeJS.ProcessEnv = {
  ...process.env,
  WHARF_TEMPORAL_TASK_QUEUE: taskQueue,
  WHARF_TEMPORAL_LOG_DIR: join(dir, 'logs'),
  ...(lab
    ? {
        TEMPORAL_ADDRESS: lab.TEMPORAL_ADDRESS,
        KUBECONFIG: lab.KUBECONFIG,
        WHARF_TEMPORAL_NAMESPACE: lab.KUBE_NAMESPACE ?? 'wharf',
      }
    : {}),
};

interface Ran {
  ms: number;
  code: number | null;
  out: string;
}

function wharf(args: string[]): Promise<Ran> {
  const began = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ ms: performance.now() - began, code, out }));
  });
}

async function time(name: string, args: string[], expectCode = 0): Promise<string[]> {
  const samples: number[] = [];
  const outputs: string[] = [];
  for (let i = 0; i < runs; i++) {
    const ran = await wharf(args);
    if (ran.code !== expectCode)
      throw new Error(`wharf-temporal ${args.join(' ')} exited with ${ran.code}, not ${expectCode}:\n${ran.out}`);
    samples.push(ran.ms);
    outputs.push(ran.out);
  }
  figure(name, spread(samples));
  return outputs;
}

header(`bench/cli: whole-process time of each command, ${runs} run(s) each, ${bin}`);
try {
  await time('--help', ['--help']);
  await time('validate', ['validate', file]);
  await time('plan', ['plan', file]);
  if (lab) {
    const detached = await time('run --detach', ['run', file, '--no-source', '--detach']);
    const ids = detached.flatMap((o) => /build (\S+) started/.exec(o)?.[1] ?? []);
    // A build that ran, for status and logs to read.
    const ran = await wharf(['run', file, '--no-source', '--worker']);
    const id = /build (\S+) started/.exec(ran.out)?.[1];
    if (ran.code !== 0 || !id) throw new Error(`the build for status and logs failed:\n${ran.out}`);
    await time('status', ['status', id]);
    const logs = await time('logs', ['logs', id]);
    if (!logs.every((o) => o.includes('hello from the bench')))
      throw new Error(`logs did not print the build's line:\n${logs[0]}`);
    const { client, close } = await connectClient({
      temporalAddress: lab.TEMPORAL_ADDRESS!,
      temporalNamespace: lab.TEMPORAL_NAMESPACE ?? 'default',
      temporalUiUrl: null,
      taskQueue,
      kubeconfig: null,
      kubeNamespace: '',
      logRoot: dir,
      fromLab: true,
    });
    await Promise.all(
      ids.map((b) =>
        client.workflow
          .getHandle(b)
          .terminate('bench/cli: never meant to run')
          .catch(() => {}),
      ),
    );
    await close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
