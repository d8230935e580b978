// The lab's real node leaves the host as it found it: after `node.sh down` no process,
// mount, cgroup, bridge, iptables rule or chain of it is left and the sysctls it changed
// are back to what they were; `node.sh up` then brings it back Ready. Fails (never
// skips) when the lab has no real node.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labEnv } from './lab-env.ts';

const NODE_SH = fileURLToPath(new URL('../../tools/lab/node.sh', import.meta.url));
const LAB_DIR = process.env.LAB_DIR ?? fileURLToPath(new URL('../../.lab', import.meta.url));

function node(...args: string[]): string {
  const run = spawnSync('bash', [NODE_SH, ...args], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(run.status, 0, `node.sh ${args.join(' ')} exited ${run.status}:\n${run.stdout}${run.stderr}`);
  return run.stdout;
}

describe('lab: the real node', function () {
  this.timeout(400_000);

  it('is registered and Ready, tainted and labelled apart from the simulated nodes', () => {
    const lab = labEnv();
    assert.ok(lab.values.REAL_NODE, `the lab has no real node: ${lab.values.REAL_NODE_MISSING ?? 'unknown reason'}`);
    const nodes = JSON.parse(
      execFileSync(
        'curl',
        [
          '-sf',
          '--cacert',
          join(LAB_DIR, 'kube/pki/ca.crt'),
          '--cert',
          join(LAB_DIR, 'kube/pki/admin.crt'),
          '--key',
          join(LAB_DIR, 'kube/pki/admin.key'),
          `${lab.kubeApiUrl}/api/v1/nodes`,
        ],
        { encoding: 'utf8' },
      ),
    ) as {
      items: {
        metadata: { name: string; labels?: Record<string, string> };
        spec: { taints?: { key: string; effect: string }[] };
        status: { nodeInfo: { containerRuntimeVersion: string; kubeletVersion: string } };
      }[];
    };
    const real = nodes.items.find((n) => n.metadata.name === lab.values.REAL_NODE);
    assert.ok(real, 'the real node is registered');
    assert.match(real.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\/2\./);
    assert.equal(real.status.nodeInfo.kubeletVersion, 'v1.36.3');
    assert.equal(real.metadata.labels?.['wharf-temporal.lab/node'], 'real');
    assert.ok(real.spec.taints?.some((t) => t.key === 'wharf-temporal.lab/real-node' && t.effect === 'NoSchedule'));
    const simulated = nodes.items.filter((n) => n !== real);
    assert.ok(
      simulated.length > 0 && simulated.every((n) => n.metadata.labels?.['wharf-temporal.lab/node'] !== 'real'),
    );
  });

  it('leaves nothing behind when stopped, and comes back', () => {
    const lab = labEnv();
    assert.ok(lab.values.REAL_NODE, `the lab has no real node: ${lab.values.REAL_NODE_MISSING ?? 'unknown reason'}`);
    const recorded = join(LAB_DIR, 'node/host-before/sysctl');
    assert.ok(existsSync(recorded), 'the node recorded the host sysctls before changing them');
    const before = readFileSync(recorded, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('=') as [string, string]);
    const bridge = readFileSync(
      join(
        LAB_DIR,
        'node/cni/net.d',
        execFileSync('ls', [join(LAB_DIR, 'node/cni/net.d')], { encoding: 'utf8' }).trim(),
      ),
      'utf8',
    );
    const bridgeName = (JSON.parse(bridge) as { plugins: { bridge: string }[] }).plugins[0]!.bridge;
    try {
      node('down');
      assert.equal(node('leftovers'), '', 'nothing of the node is left');
      assert.equal(spawnSync('ip', ['link', 'show', bridgeName]).status, 1, `the bridge ${bridgeName} is gone`);
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .filter((l) => l.includes(join(LAB_DIR, 'node')));
      assert.deepEqual(mounts, [], 'no mount under the node folder');
      const procs = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes(join(LAB_DIR, 'node')));
      assert.deepEqual(procs, [], 'no process of the node');
      for (const [key, value] of before) {
        assert.equal(
          readFileSync(`/proc/sys/${key.replaceAll('.', '/')}`, 'utf8').trim(),
          value,
          `${key} is back to ${value}`,
        );
      }
      const rules = execFileSync('iptables-save', { encoding: 'utf8' })
        .split('\n')
        .filter((l) => /KUBE-|CNI-|wharf-lab/.test(l));
      assert.deepEqual(rules, [], 'no iptables rule or chain of the node');
    } finally {
      node('up');
    }
    assert.match(node('status'), /^REAL_NODE=\S+/m);
  });
});
