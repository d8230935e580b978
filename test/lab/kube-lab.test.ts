// Proves the lab's Kubernetes is real: a real API server, scheduler and controllers,
// simulated nodes whose kubelet API execs like a kubelet. Uses @kubernetes/client-node
// directly, not the project's facade.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { ApiException, CoreV1Api, Exec, KubeConfig, Watch, type V1Pod, type V1Status } from '@kubernetes/client-node';
import { labEnv } from './lab-env.ts';

/** The Status object of a failed API call: client-node gives it as a JSON string on 404/409/410. */
function statusOf(err: unknown): { code: number; reason: string } {
  assert.ok(err instanceof ApiException, `an ApiException, not ${String(err)}`);
  const body: unknown = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
  return { code: err.code, reason: String((body as { reason?: unknown } | null)?.reason) };
}

describe('lab: Kubernetes', function () {
  this.timeout(60_000);
  const run = `${Date.now().toString(36)}-${process.pid}`;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let namespace: string;
  let created: string[] = [];
  let count = 0;
  const unique = (name: string): string => `lab-${name}-${run}-${count++}`;

  before(() => {
    const lab = labEnv();
    kc = new KubeConfig();
    kc.loadFromFile(lab.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    namespace = lab.kubeNamespace;
  });

  // Each test deletes its own pods.
  afterEach(async () => {
    const names = created;
    created = [];
    await Promise.all(
      names.map((name) => core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 }).catch(() => {})),
    );
  });

  async function createPod(name: string, spec: Partial<V1Pod['spec']> = {}, image = 'alpine:3'): Promise<V1Pod> {
    created.push(name);
    return core.createNamespacedPod({ namespace, body: podBody(name, spec, image) });
  }

  function podBody(name: string, spec: Partial<V1Pod['spec']>, image: string): V1Pod {
    return {
      metadata: { name, labels: { 'wharf-temporal/lab-test': run } },
      spec: {
        containers: [
          {
            name: 'main',
            image,
            command: ['sh', '-c', 'echo hello from main; sleep 300'],
            workingDir: '/workspace',
            env: [{ name: 'GREETING', value: 'hi there' }],
            volumeMounts: [{ name: 'ws', mountPath: '/workspace' }],
          },
        ],
        volumes: [{ name: 'ws', emptyDir: {} }],
        ...spec,
      },
    };
  }

  /**
   * Resolves with the first pod state `test` accepts (null: deleted), seen through a watch
   * and, should the watch go quiet (a busy machine), through a read every second.
   */
  function watchUntil(
    name: string,
    test: (pod: V1Pod | null, type: string) => boolean,
    timeoutMs = 20_000,
  ): Promise<V1Pod | null> {
    return new Promise((resolve, reject) => {
      let abort: AbortController | undefined;
      let settled = false;
      let last: V1Pod | null = null;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(poll);
        abort?.abort();
        fn();
      };
      const timer = setTimeout(
        () =>
          settle(() =>
            reject(
              new Error(
                `pod ${name}: condition not reached in ${timeoutMs} ms; last seen: ${JSON.stringify(last?.status)}`,
              ),
            ),
          ),
        timeoutMs,
      );
      const poll = setInterval(() => {
        core.readNamespacedPod({ namespace, name }).then(
          (pod) => {
            last = pod;
            if (test(pod, 'READ')) settle(() => resolve(pod));
          },
          (err: unknown) => {
            if (err instanceof ApiException && err.code === 404 && test(null, 'DELETED')) settle(() => resolve(null));
          },
        );
      }, 1000);
      new Watch(kc)
        .watch(
          `/api/v1/namespaces/${namespace}/pods`,
          { fieldSelector: `metadata.name=${name}` },
          (type: string, pod: V1Pod) => {
            const state = type === 'DELETED' ? null : pod;
            last = state;
            if (test(state, type)) settle(() => resolve(state));
          },
          (err: unknown) => settle(() => reject(new Error(`the watch of pod ${name} ended: ${String(err)}`))),
        )
        .then(
          (a) => {
            abort = a;
            if (settled) a.abort();
          },
          (err: unknown) => settle(() => reject(err)),
        );
    });
  }

  const isReady = (pod: V1Pod | null): boolean =>
    pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

  /**
   * Runs a command in the pod's container. The status callback never fires when the socket
   * closes without a status, so a close without one, or no answer in time, is an error.
   */
  function exec(
    name: string,
    command: string[],
    stdin?: Readable,
  ): Promise<{ out: string; err: string; status: V1Status }> {
    let out = '';
    let err = '';
    const sink = (append: (s: string) => void): Writable =>
      new Writable({
        write(chunk: Buffer, _e, cb) {
          append(chunk.toString());
          cb();
        },
      });
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void): void => {
        if (!settled) {
          settled = true;
          clearTimeout(guard);
          fn();
        }
      };
      const guard = setTimeout(
        () => settle(() => reject(new Error(`exec ${command.join(' ')}: no status in 20 s`))),
        20_000,
      );
      new Exec(kc)
        .exec(
          namespace,
          name,
          'main',
          command,
          sink((s) => (out += s)),
          sink((s) => (err += s)),
          stdin ?? null,
          false,
          (status) => {
            settle(() => resolve({ out, err, status }));
          },
        )
        .then(
          (socket) => {
            socket.on('close', () =>
              setTimeout(
                () =>
                  settle(() => reject(new Error(`exec ${command.join(' ')}: the connection closed without a status`))),
                200,
              ),
            );
          },
          (e: unknown) => settle(() => reject(e)),
        );
    });
  }

  it('schedules a pod onto a simulated node and reports it Ready through a watch', async () => {
    const name = unique('ready');
    await createPod(name);
    const pod = await watchUntil(name, isReady);
    assert.match(pod?.spec?.nodeName ?? '', /^lab-node-/);
    assert.equal(pod?.status?.phase, 'Running');
    assert.equal(pod?.status?.containerStatuses?.[0]?.ready, true);
    const again = await core.createNamespacedPod({ namespace, body: podBody(name, {}, 'alpine:3') }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.deepEqual(statusOf(again), { code: 409, reason: 'AlreadyExists' });
  });

  it('execs with stdout, stderr and the exit code kept apart, and the pod env and working directory', async () => {
    const name = unique('exec');
    await createPod(name);
    await watchUntil(name, isReady);
    const r = await exec(name, ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.out, 'out\n');
    assert.equal(r.err, 'err\n');
    assert.equal(r.status.status, 'Failure');
    assert.equal(r.status.reason, 'NonZeroExitCode');
    assert.deepEqual(r.status.details?.causes, [{ reason: 'ExitCode', message: '3' }]);
    const env = await exec(name, ['sh', '-c', 'echo "$GREETING in $(pwd)"']);
    assert.equal(env.out, 'hi there in /workspace\n');
    assert.equal(env.status.status, 'Success');
  });

  it('streams stdin into an exec (a tar archive) and the files arrive, private to the pod', async () => {
    const name = unique('tar');
    const other = unique('other');
    await createPod(name);
    await createPod(other);
    await watchUntil(name, isReady);
    await watchUntil(other, isReady);
    const src = mkdtempSync(join(tmpdir(), 'tar-'));
    try {
      writeFileSync(join(src, 'a.txt'), 'alpha\n');
      writeFileSync(join(src, 'b.txt'), 'beta\n');
      const archive = execFileSync('tar', ['-c', '-C', src, 'a.txt', 'b.txt']);
      const untar = await exec(name, ['tar', '-x', '-f', '-', '-C', '/workspace'], Readable.from([archive]));
      assert.equal(untar.status.status, 'Success', untar.err);
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
    assert.equal((await exec(name, ['sh', '-c', 'cat /workspace/a.txt /workspace/b.txt'])).out, 'alpha\nbeta\n');
    assert.equal((await exec(other, ['sh', '-c', 'ls -A /workspace'])).out, '', 'another pod does not see the files');
  });

  it("reads the logs of the container's own command", async () => {
    const name = unique('logs');
    await createPod(name);
    await watchUntil(name, isReady);
    let logs = '';
    for (let i = 0; i < 50 && !logs.includes('hello from main'); i++) {
      logs = await core.readNamespacedPodLog({ namespace, name, container: 'main' });
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(logs, 'hello from main\n');
  });

  it('deletes a pod: it is gone, with the processes it started', async () => {
    const name = unique('delete');
    await createPod(name);
    await watchUntil(name, isReady);
    const marker = `sleep ${400000 + (process.pid % 99999)}`;
    await exec(name, ['sh', '-c', `nohup ${marker} >/dev/null 2>&1 &`]);
    assert.ok(
      execFileSync('ps', ['-eo', 'args']).toString().includes(marker),
      'the background process runs after its exec ended',
    );
    const gone = watchUntil(name, (_pod, type) => type === 'DELETED');
    await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
    await gone;
    const read = await core.readNamespacedPod({ namespace, name }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.deepEqual(statusOf(read), { code: 404, reason: 'NotFound' });
    let alive = true;
    for (let i = 0; i < 25 && alive; i++) {
      await new Promise((r) => setTimeout(r, 200));
      alive = execFileSync('ps', ['-eo', 'args']).toString().includes(marker);
    }
    assert.ok(!alive, "the pod's processes died with it");
  });

  // A removed pod's mount namespace number is free for the next pod's: killing by it
  // once it is free killed new pods' sandboxes ("sandbox ... did not start").
  it('keeps the sandboxes of new pods while the pods before them are removed', async () => {
    let old: string[] = [];
    for (let round = 0; round < 3; round++) {
      const fresh = Array.from({ length: 10 }, () => unique('churn'));
      await Promise.all([
        ...old.map((name) => core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 })),
        ...fresh.map(async (name) => {
          await createPod(name);
          await watchUntil(name, isReady);
        }),
      ]);
      const answers = await Promise.all(fresh.map((name) => exec(name, ['sh', '-c', 'echo alive'])));
      assert.deepEqual(
        answers.map((a) => `${a.status.status} ${a.out.trim()}`),
        fresh.map(() => 'Success alive'),
      );
      old = fresh;
    }
  });

  it('reports an image that cannot be pulled as ImagePullBackOff', async () => {
    const name = unique('pull');
    await createPod(name, {}, 'lab.invalid/nothing:1');
    const pod = await watchUntil(
      name,
      (p) => p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff',
    );
    assert.equal(pod?.status?.phase, 'Pending');
    assert.equal(pod?.status?.containerStatuses?.[0]?.ready, false);
  });

  it('leaves a pod that fits no node Pending and Unschedulable', async () => {
    const name = unique('unschedulable');
    await createPod(name, { nodeSelector: { 'lab/no-such-node': 'true' } });
    const pod = await watchUntil(
      name,
      (p) => p?.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') ?? false,
    );
    const condition = pod?.status?.conditions?.find((c) => c.type === 'PodScheduled');
    assert.equal(condition?.reason, 'Unschedulable');
    assert.match(condition?.message ?? '', /node\(s\) didn't match Pod's node affinity\/selector/);
    assert.equal(pod?.status?.phase, 'Pending');
    assert.equal(pod?.spec?.nodeName, undefined);
  });

  it('ends a container whose image is marked to exit', async () => {
    const name = unique('exit');
    await createPod(name, {}, 'lab.exit/one:1');
    const pod = await watchUntil(name, (p) => Boolean(p?.status?.containerStatuses?.[0]?.state?.terminated));
    assert.equal(pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 1);
  });
});
