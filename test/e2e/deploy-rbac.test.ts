// deploy/'s Role on the lab's API server (RBAC on): the manifests applied as `kubectl
// apply --server-side` would, then a worker authenticated as the service account itself
// (a token from the TokenRequest API, not an admin) runs a build with a password input and
// sweeps an orphan pod; everything outside its Role is refused.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiException, CoreV1Api, type KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { BuildSecrets } from '../../src/kube/build-secret.ts';
import { loadKubeConfig } from '../../src/kube/kube-config.ts';
import { LABELS, MANAGED_BY } from '../../src/pod/labels.ts';
import { connectLab, type Lab } from '../support/lab.ts';
import { deployObjects } from '../support/worker-deployment.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin/wharf-temporal.js');
const PASSWORD = join(ROOT, 'test/e2e/fixtures/password.wharf-ci.yml');
const WORKER_NAMESPACE = 'wharf-temporal';
const BUILD_NAMESPACE = 'wharf-builds';
const ACCOUNT = 'wharf-temporal-worker';
const DEPLOYMENT = `rbac-${process.pid}`;

/** The HTTP status an API call failed with (0 when it did not fail). */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 0;
  } catch (err) {
    if (err instanceof ApiException) return err.code;
    throw err;
  }
}

describe('deploy/ RBAC on the lab', function () {
  this.timeout(240_000);
  let lab: Lab;
  let saKc: KubeConfig;
  let saKubeconfig: string;
  let sa: CoreV1Api;
  const dir = mkdtempSync(join(tmpdir(), 'rbac-'));

  before(async () => {
    lab = connectLab();
    const api = KubernetesObjectApi.makeApiClient(lab.kc);
    const objects = deployObjects();
    // Everything but the Deployment for real; the Deployment only through the API server's
    // validation (dry run): the lab's nodes run no images.
    for (const object of objects) {
      const dryRun = object.kind === 'Deployment' ? 'All' : undefined;
      await api.patch(object, undefined, dryRun, 'wharf-temporal-tests', true, PatchStrategy.ServerSideApply);
    }
    const token = await lab.core.createNamespacedServiceAccountToken({
      name: ACCOUNT,
      namespace: WORKER_NAMESPACE,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const cluster = lab.kc.getCurrentCluster()!;
    saKubeconfig = join(dir, 'service-account.kubeconfig');
    writeFileSync(
      saKubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'sa',
        clusters: [{ name: 'lab', cluster: { server: cluster.server, 'certificate-authority': cluster.caFile } }],
        users: [{ name: ACCOUNT, user: { token: token.status?.token } }],
        contexts: [{ name: 'sa', context: { cluster: 'lab', user: ACCOUNT, namespace: BUILD_NAMESPACE } }],
      }),
    );
    saKc = loadKubeConfig(saKubeconfig);
    sa = saKc.makeApiClient(CoreV1Api);
  });

  it('lets the worker, as its service account, run a build with a password input and sweep an orphan', async () => {
    const orphan = `wharf-rbac-orphan-${process.pid}`;
    await lab.core.createNamespacedPod({
      namespace: BUILD_NAMESPACE,
      body: {
        metadata: {
          name: orphan,
          labels: {
            [LABELS.managedBy]: MANAGED_BY,
            [LABELS.buildId]: `gone-${process.pid}`,
            [LABELS.deployment]: DEPLOYMENT,
          },
        },
        spec: { containers: [{ name: 'c', image: 'alpine:3', command: ['sleep', '600'] }] },
      },
    });
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: lab.status.TEMPORAL_ADDRESS!,
      WHARF_TEMPORAL_NAMESPACE: BUILD_NAMESPACE,
      WHARF_TEMPORAL_TASK_QUEUE: `rbac-${process.pid}`,
      WHARF_TEMPORAL_LOG_DIR: join(dir, 'logs'),
      NO_COLOR: '1',
      WHARF_TEMPORAL_DEPLOYMENT: DEPLOYMENT,
    };
    const worker: ChildProcess = spawn(process.execPath, [CLI, 'worker'], {
      cwd: ROOT,
      env: { ...env, KUBECONFIG: saKubeconfig },
    });
    let out = '';
    worker.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    worker.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    try {
      for (let i = 0; i < 600 && !out.includes('polling task queue'); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(out, /polling task queue/, out);
      assert.doesNotMatch(out, /cannot sweep|forbidden/i, 'the sweep may list and delete');
      assert.match(out, new RegExp(`deleted orphan pods: .*${orphan}`));
      // `run` stores the password in a Secret with the user's (here the lab admin's) rights;
      // the worker reads it, makes the pod, waits for it, execs and deletes it.
      const run = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [CLI, 'run', PASSWORD, '--no-worker', '--input', 'token=s3cr3t-t0k3n-12345'],
          { cwd: ROOT, env: { ...env, KUBECONFIG: lab.status.KUBECONFIG! } },
        );
        let output = '';
        child.stdout.on('data', (c: Buffer) => (output += c.toString()));
        child.stderr.on('data', (c: Buffer) => (output += c.toString()));
        child.on('close', (code) => resolve({ code, output }));
      });
      assert.equal(run.code, 0, `${run.output}\nworker:\n${out}`);
      assert.match(run.output, /token has the right length/);
      assert.doesNotMatch(out, /forbidden/i);
    } finally {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    }
  });

  it('lets it read, list and delete the Secrets of builds, in the build namespace', async () => {
    const name = `wharf-rbac-${process.pid}-inputs`;
    await new BuildSecrets(lab.kc, BUILD_NAMESPACE).create(
      name,
      `rbac-${process.pid}`,
      { token: 'x' },
      `rbac-${process.pid}`,
    );
    const secrets = new BuildSecrets(saKc, BUILD_NAMESPACE);
    assert.deepEqual(await secrets.read(name), { token: 'x' });
    assert.ok((await secrets.list('app.kubernetes.io/managed-by=wharf-temporal')).some((s) => s.name === name));
    await secrets.delete(name);
    assert.equal(await secrets.read(name), null);
  });

  it('refuses everything else: other namespaces, creating Secrets, nodes, namespaces, pod logs, updates', async () => {
    const refused = {
      'list secrets in the worker namespace': sa.listNamespacedSecret({ namespace: WORKER_NAMESPACE }),
      'read a secret in kube-system': sa.readNamespacedSecret({ namespace: 'kube-system', name: 'anything' }),
      'list pods in default': sa.listNamespacedPod({ namespace: 'default' }),
      'create pods in the worker namespace': sa.createNamespacedPod({
        namespace: WORKER_NAMESPACE,
        body: { metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'alpine:3' }] } },
      }),
      'create a secret in the build namespace': sa.createNamespacedSecret({
        namespace: BUILD_NAMESPACE,
        body: { metadata: { name: `rbac-denied-${process.pid}` }, stringData: { a: 'b' } },
      }),
      'patch a pod in the build namespace': sa.patchNamespacedPod({
        namespace: BUILD_NAMESPACE,
        name: 'x',
        body: { metadata: { labels: { a: 'b' } } },
      }),
      'read pod logs': sa.readNamespacedPodLog({ namespace: BUILD_NAMESPACE, name: 'x' }),
      'list configmaps': sa.listNamespacedConfigMap({ namespace: BUILD_NAMESPACE }),
      'list nodes': sa.listNode(),
      'delete the build namespace': sa.deleteNamespace({ name: BUILD_NAMESPACE }),
      'list namespaces': sa.listNamespace(),
    };
    const statuses = Object.fromEntries(
      await Promise.all(Object.entries(refused).map(async ([what, call]) => [what, await statusOf(call)] as const)),
    );
    assert.deepEqual(statuses, Object.fromEntries(Object.keys(refused).map((what) => [what, 403])));
    // The namespace is still there.
    assert.equal((await lab.core.readNamespace({ name: BUILD_NAMESPACE })).metadata?.name, BUILD_NAMESPACE);
  });
});
