// `npm run demo` (tools/lab/demo.sh) on the lab with its real node: every step of
// examples/.wharf-ci.yml runs in a real container there, and the output says so, and
// names the node each step's pod ran on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPods, connectLab } from '../support/lab.ts';
import { realNode } from '../support/real-node.ts';

const DEMO = fileURLToPath(new URL('../../tools/lab/demo.sh', import.meta.url));
const STEPS = ['build/compile', 'build/lint', 'test/unit', 'test/smoke', 'deploy/ship', 'cleanup/tidy'];

describe('the demo', function () {
  this.timeout(240_000);

  it('runs every step in a real container on the real node and says where each ran', async () => {
    const lab = connectLab();
    const real = realNode(lab);
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        const child = spawn('bash', [DEMO], {
          env: {
            ...process.env,
            WHARF_TEMPORAL_TASK_QUEUE: `demo-${process.pid}`,
            WHARF_TEMPORAL_LOG_DIR: mkdtempSync(join(tmpdir(), 'demo-logs-')),
            WHARF_TEMPORAL_DEPLOYMENT: `demo-${process.pid}`,
            NO_COLOR: '1',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      },
    );
    assert.equal(code, 0, stdout + stderr);
    assert.match(
      stdout,
      new RegExp(`^demo: every step runs in a real container on the lab's real node ${real.node}, image `, 'm'),
    );
    for (const step of STEPS) {
      assert.match(stdout, new RegExp(`^\\[${step}\\] wharf-temporal: pod \\S+ ready on ${real.node}$`, 'm'), step);
    }
    assert.match(stdout, /^\[build\/compile\] compiled 29 bytes$/m);
    assert.match(stdout, /^success +build \S+ in /m);
    const id = /^build (\S+) started$/m.exec(stdout)?.[1] ?? '';
    assert.deepEqual(await buildPods(lab, id), []);
  });
});
