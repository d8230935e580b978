// The worker image (built from the Dockerfile by tools/lab/worker-image.sh) running as
// deploy/'s Deployment on the lab's real node, with the lab overlay: its pod becomes Ready
// through its probes, a build started by the CLI on the worker's task queue runs through
// it (steps in pods it creates, lines in the shared PostgreSQL store), deleting the pod
// ends it within its grace period, and deleting the Deployment and namespaces leaves no
// pod. The pod reaches the API server on the bridge address (its certificate names it),
// Temporal and PostgreSQL through relays there. Without the real node it fails, saying
// what is missing.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiException,
  AppsV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  type V1Pod,
} from '@kubernetes/client-node';
import { Connection, Client } from '@temporalio/client';
import { readAllRecords } from '../../src/client/log-follower.ts';
import { parseKeyValues } from '../../src/cli/local-lab.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { connectLab, type Lab } from '../support/lab.ts';
import { scratchDatabase } from '../support/postgres.ts';
import { startTcpRelay, type TcpRelay } from '../support/tcp-relay.ts';
import { deployObjects, withLabOverlay } from '../support/worker-deployment.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin/wharf-temporal.js');
const WORKER_IMAGE_SH = join(ROOT, 'tools/lab/worker-image.sh');
const APP = 'app.kubernetes.io/name=wharf-temporal-worker';
const GRACE_SECONDS = 60;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, seconds: number, probe: () => Promise<T | undefined | null | false>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not after ${seconds}s${last ? ` (${String(last)})` : ''}`);
    await sleep(500);
  }
}

const isReady = (pod: V1Pod) =>
  !pod.metadata?.deletionTimestamp && pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

describe('the worker image as the Deployment on the real node', function () {
  this.timeout(900_000);
  const suffix = `${process.pid}`;
  const namespaces = { worker: `wharf-temporal-e2e-${suffix}`, builds: `wharf-builds-e2e-${suffix}` };
  const taskQueue = `worker-deployment-${suffix}`;
  const deployment = `worker-deployment-${suffix}`;
  let lab: Lab;
  let image: string;
  let relays: TcpRelay[] = [];
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let cliEnv: NodeJS.ProcessEnv;
  let workerPod: V1Pod;

  const podsOf = async (namespace: string, labelSelector?: string) =>
    (await lab.core.listNamespacedPod({ namespace, labelSelector })).items;
  const readyWorker = () =>
    until('a Ready worker pod', 300, async () => (await podsOf(namespaces.worker, APP)).find(isReady));

  before(async function () {
    lab = connectLab();
    const s = lab.status;
    if (!s.REAL_NODE || !s.REAL_NODE_GATEWAY)
      throw new Error(
        `the lab has no real node: ${s.REAL_NODE_MISSING ?? 'unknown reason'} (bash tools/lab/node.sh status)`,
      );
    const gateway = s.REAL_NODE_GATEWAY;
    // Built once per change of the Dockerfile's inputs, then taken from the cache.
    const pushed = spawnSync('bash', [WORKER_IMAGE_SH, 'push'], { encoding: 'utf8', timeout: 840_000 });
    image = parseKeyValues(pushed.stdout ?? '').LAB_WORKER_IMAGE ?? '';
    assert.ok(pushed.status === 0 && image, `worker-image.sh push failed:\n${pushed.stdout}${pushed.stderr}`);

    db = await scratchDatabase('worker_deployment');
    const temporal = new URL(`grpc://${s.TEMPORAL_ADDRESS!}`);
    const store = new URL(db.url);
    const temporalRelay = await startTcpRelay(gateway, { host: temporal.hostname, port: Number(temporal.port) });
    const storeRelay = await startTcpRelay(gateway, { host: store.hostname, port: Number(store.port) });
    relays = [temporalRelay, storeRelay];
    const podStore = new URL(db.url);
    podStore.hostname = gateway;
    podStore.port = String(storeRelay.port);
    const [selectorKey, selectorValue] = s.REAL_NODE_SELECTOR!.split('=') as [string, string];
    const cluster = lab.kc.getCurrentCluster()!;
    const api = new URL(cluster.server);
    // The pod reaches the API server at the bridge address: its certificate must name it.
    const names = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ host: gateway, port: Number(api.port), ca: readFileSync(cluster.caFile!) }, () => {
        resolve(socket.getPeerCertificate().subjectaltname ?? '');
        socket.end();
      });
      socket.once('error', reject);
    });
    assert.ok(names.split(', ').includes(`IP Address:${gateway}`), `the API server's certificate names ${names}`);

    const objects = withLabOverlay(deployObjects(), {
      image,
      namespaces,
      replicas: 1,
      nodeSelector: { [selectorKey]: selectorValue },
      tolerations: [{ key: s.REAL_NODE_TAINT!, operator: 'Exists', effect: 'NoSchedule' }],
      env: {
        TEMPORAL_ADDRESS: `${gateway}:${temporalRelay.port}`,
        WHARF_TEMPORAL_TASK_QUEUE: taskQueue,
        WHARF_TEMPORAL_STORE_URL: podStore.toString(),
        WHARF_TEMPORAL_DEPLOYMENT: deployment,
        // No kube-proxy in the lab: the kubernetes Service's IP leads nowhere; the API
        // server listens on the bridge address too.
        KUBERNETES_SERVICE_HOST: gateway,
        KUBERNETES_SERVICE_PORT: api.port,
        // Step pods on the real node, with the lab's images.
        WHARF_TEMPORAL_NODE_SELECTOR: s.REAL_NODE_SELECTOR!,
        WHARF_TEMPORAL_TOLERATIONS: `${s.REAL_NODE_TAINT!}:NoSchedule`,
        WHARF_TEMPORAL_STEP_IMAGES: `source=${s.LAB_IMAGE_BUSYBOX!}`,
      },
    });
    const apply = KubernetesObjectApi.makeApiClient(lab.kc);
    for (const object of objects)
      await apply.patch(object, undefined, undefined, 'wharf-temporal-tests', true, PatchStrategy.ServerSideApply);

    cliEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: s.TEMPORAL_ADDRESS!,
      TEMPORAL_NAMESPACE: s.TEMPORAL_NAMESPACE ?? 'default',
      KUBECONFIG: s.KUBECONFIG!,
      WHARF_TEMPORAL_TASK_QUEUE: taskQueue,
      WHARF_TEMPORAL_NAMESPACE: namespaces.builds,
      WHARF_TEMPORAL_STORE_URL: db.url,
      WHARF_TEMPORAL_DEPLOYMENT: deployment,
      NO_COLOR: '1',
    };
  });

  after(async () => {
    // Whatever a failed test left: the namespaces go with everything in them.
    for (const name of Object.values(namespaces)) await lab?.core.deleteNamespace({ name }).catch(() => {});
    for (const r of relays) await r.close();
    await db?.drop().catch(() => {});
  });

  it('runs its pod on the real node, Ready through its readiness probe; /livez, /readyz and /metrics answer', async () => {
    workerPod = await readyWorker();
    assert.equal(workerPod.spec?.nodeName, lab.status.REAL_NODE);
    const container = workerPod.spec!.containers[0]!;
    assert.equal(container.image, image);
    assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(container.livenessProbe?.httpGet?.path, '/livez');
    assert.equal(workerPod.status?.containerStatuses?.[0]?.ready, true);
    assert.equal(workerPod.status?.containerStatuses?.[0]?.restartCount, 0, 'the liveness probe never failed');
    // The pod network is the host's bridge: the probes' endpoints are reachable from here.
    const base = `http://${workerPod.status!.podIP!}:9090`;
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    assert.equal((await fetch(`${base}/livez`)).status, 200);
    assert.match(await (await fetch(`${base}/metrics`)).text(), /^temporal_/m);
  });

  it('runs a build the CLI starts on its task queue: steps in pods it creates, lines in the shared store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'worker-deployment-'));
    writeFileSync(
      join(dir, '.wharf-ci.yml'),
      `build:
  greet:
    container:
      image: ${lab.status.LAB_IMAGE_BUSYBOX!}
      cmds: [echo hello from the deployed worker, echo "second line"]
  count:
    container:
      image: ${lab.status.LAB_IMAGE_BUSYBOX!}
      cmds: [for i in 1 2 3; do echo "n=$i"; done]
test:
  fail:
    container:
      image: ${lab.status.LAB_IMAGE_BUSYBOX!}
      cmds: [echo about to fail, exit 3]
report:
  runs-if: fail
  notify:
    container:
      image: ${lab.status.LAB_IMAGE_BUSYBOX!}
      cmds: [echo the build failed]
`,
    );
    const run = spawn(process.execPath, [CLI, 'run', join(dir, '.wharf-ci.yml'), '--no-source', '--no-worker'], {
      cwd: dir,
      env: cliEnv,
    });
    let out = '';
    run.stdout.on('data', (d: Buffer) => (out += d.toString()));
    run.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => run.on('close', resolve));
    assert.equal(code, 1, `run exits 1 for a failed build:\n${out}`);
    const buildId = /build (\S+) started/.exec(out)?.[1] ?? assert.fail(`no build id in: ${out}`);
    assert.match(out, /^\[build\/greet\] hello from the deployed worker$/m, out);
    assert.match(out, /^\[test\/fail\] about to fail$/m, out);
    assert.match(out, /build failed: test\/fail: command exited with code 3/, out);

    // The lines, read from PostgreSQL.
    const store = await PostgresStore.open(db.url);
    try {
      const lines = async (step: string) =>
        (await readAllRecords(store, buildId, step)).filter((r) => r.record.s !== 'sys').map((r) => r.record.l);
      assert.deepEqual(await lines('build/greet'), ['hello from the deployed worker', 'second line'], out);
      assert.deepEqual(await lines('build/count'), ['n=1', 'n=2', 'n=3'], out);
      assert.deepEqual(await lines('test/fail'), ['about to fail'], out);
      assert.deepEqual(await lines('report/notify'), ['the build failed'], out);
    } finally {
      await store.close();
    }

    // The worker pod ran them: its identity (pid@hostname, the pod's name) is on every
    // step's activities in the history, and no other.
    const connection = await Connection.connect({ address: lab.status.TEMPORAL_ADDRESS! });
    try {
      const client = new Client({ connection, namespace: lab.status.TEMPORAL_NAMESPACE ?? 'default' });
      for (const step of ['build.greet', 'build.count', 'test.fail', 'report.notify']) {
        const history = await client.workflow.getHandle(`${buildId}.${step}`).fetchHistory();
        const identities = new Set(
          (history.events ?? []).flatMap((e) => {
            const id =
              e.activityTaskStartedEventAttributes?.identity ?? e.workflowTaskCompletedEventAttributes?.identity;
            return id ? [id] : [];
          }),
        );
        assert.ok(identities.size > 0, `${step} has activities`);
        for (const id of identities)
          assert.match(id, new RegExp(`^\\d+@${workerPod.metadata!.name!}$`), `${step} ran on the worker pod`);
      }
    } finally {
      await connection.close();
    }
    // Its step pods ran on the real node, in the build namespace, and are gone.
    assert.deepEqual(
      (await podsOf(namespaces.builds)).map((p) => p.metadata?.name),
      [],
    );
    const metrics = await (await fetch(`http://${workerPod.status!.podIP!}:9090/metrics`)).text();
    const wharf = metrics
      .split('\n')
      .filter((l) => l.startsWith('wharf_'))
      .join('\n');
    assert.match(metrics, /^wharf_workflows_finished_total\{kind="build",outcome="failed"\} 1$/m, wharf);
    assert.match(metrics, /^wharf_pods_total\{action="created"\} 4$/m, wharf);
  });

  it('ends the idle worker pod within its grace period when it is deleted; the Deployment starts another', async () => {
    const name = workerPod.metadata!.name!;
    // The pod's last status (its container's exit code) comes with the watch's events, up
    // to the DELETED one, which carries the final object.
    let exit: number | undefined;
    let gone = false;
    const watching = await new Watch(lab.kc).watch(
      `/api/v1/namespaces/${namespaces.worker}/pods`,
      { fieldSelector: `metadata.name=${name}` },
      (type: string, pod: V1Pod) => {
        exit = pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode ?? exit;
        if (type === 'DELETED') gone = true;
      },
      () => {},
    );
    const began = Date.now();
    try {
      await lab.core.deleteNamespacedPod({ name, namespace: namespaces.worker });
      await until(`pod ${name} gone`, GRACE_SECONDS + 30, async () => {
        if (gone) return true;
        try {
          await lab.core.readNamespacedPod({ name, namespace: namespaces.worker });
          return false;
        } catch (err) {
          if (err instanceof ApiException && err.code === 404) return sleep(1000).then(() => true);
          throw err;
        }
      });
    } finally {
      watching.abort();
    }
    const seconds = (Date.now() - began) / 1000;
    assert.ok(seconds < GRACE_SECONDS, `gone after ${seconds}s, within its ${GRACE_SECONDS}s grace`);
    assert.equal(exit, 0, 'the worker exited by itself on SIGTERM, before its grace ran out');
    const next = await readyWorker();
    assert.notEqual(next.metadata?.name, name);
  });

  it('leaves no pod once the Deployment and the namespaces are deleted', async () => {
    const apps = lab.kc.makeApiClient(AppsV1Api);
    await apps.deleteNamespacedDeployment({ name: 'wharf-temporal-worker', namespace: namespaces.worker });
    await until('the worker pods gone', GRACE_SECONDS + 30, async () => (await podsOf(namespaces.worker)).length === 0);
    for (const name of [namespaces.worker, namespaces.builds]) await lab.core.deleteNamespace({ name });
    await until('the namespaces gone', 120, async () => {
      const all = (await lab.core.listNamespace()).items.map((n) => n.metadata?.name);
      return !all.includes(namespaces.worker) && !all.includes(namespaces.builds);
    });
    const left = (await lab.core.listPodForAllNamespaces({ labelSelector: APP })).items.filter((p) =>
      Object.values(namespaces).includes(p.metadata?.namespace ?? ''),
    );
    assert.deepEqual(left, []);
  });
});
