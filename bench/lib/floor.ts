// The floor: the same build shape driven with no Temporal and none of our code, by the
// least a script can do through the Kubernetes API (@kubernetes/client-node): per stage,
// create its pods, wait until they are ready, exec the command in each and read its
// output, delete the pods and wait until they are gone.
import { Writable } from 'node:stream';
import { CoreV1Api, Exec, Watch, type KubeConfig, type V1Pod, type V1Status } from '@kubernetes/client-node';
import type { StepPlan } from '../../src/pod/step-plan.ts';
import { spanFromLines, type CommandSpan } from './shapes.ts';

export interface FloorRun {
  startedAt: number;
  endedAt: number;
  spans: CommandSpan[];
  /** Per stage: first pod created -> every pod of the stage ready (ms). */
  fanOut: number[];
}

const ready = (pod: V1Pod | undefined): boolean =>
  pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export async function runFloor(
  kc: KubeConfig,
  namespace: string,
  buildId: string,
  stages: StepPlan[][],
): Promise<FloorRun> {
  const core = kc.makeApiClient(CoreV1Api);
  const pods = new Map<string, V1Pod>();
  let changed = (): void => {};
  const watch = await new Watch(kc).watch(
    `/api/v1/namespaces/${namespace}/pods`,
    { labelSelector: `wharf-temporal/build-id=${buildId}` },
    (type: string, pod: V1Pod) => {
      if (type === 'DELETED') pods.delete(pod.metadata!.name!);
      else pods.set(pod.metadata!.name!, pod);
      changed();
    },
    () => {},
  );
  const until = (test: () => boolean): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (test()) resolve();
      };
      changed = check;
      check();
    });
  const run: FloorRun = { startedAt: Date.now(), endedAt: 0, spans: [], fanOut: [] };
  try {
    for (const [i, steps] of stages.entries()) {
      const names = steps.map((s) => s.pod.metadata!.name!);
      const created = Date.now();
      await Promise.all(steps.map((s) => core.createNamespacedPod({ namespace, body: s.pod })));
      await until(() => names.every((n) => ready(pods.get(n))));
      run.fanOut.push(Date.now() - created);
      await Promise.all(
        steps.map(async (s, j) => {
          const out = await execRetried(kc, namespace, s.pod.metadata!.name!, s.exec.container, s.exec.command);
          const span = spanFromLines(out.split('\n'));
          if (span) run.spans.push({ stage: i, step: j, ...span });
        }),
      );
      await Promise.all(names.map((name) => core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 })));
      await until(() => names.every((n) => !pods.has(n)));
    }
  } finally {
    watch.abort();
  }
  run.endedAt = Date.now();
  return run;
}

// The lab's simulated kubelet may fail an exec while the pod's sandbox is still starting
// on a loaded host, or kill it (137) as the sandbox goes; the floor tries again, as any
// script would (and as our runner does).
async function execRetried(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  container: string,
  command: string[],
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await exec(kc, namespace, pod, container, command);
    } catch (err) {
      if (attempt >= 5 || !/sandbox .* did not start|exit code 137/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function exec(kc: KubeConfig, namespace: string, pod: string, container: string, command: string[]): Promise<string> {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      out += chunk.toString();
      done();
    },
  });
  return new Promise((resolve, reject) => {
    void new Exec(kc)
      .exec(namespace, pod, container, command, sink, sink, null, false, (status: V1Status) => {
        if (status.status === 'Success') resolve(out);
        else reject(new Error(`floor: exec in ${pod}: ${status.message ?? status.reason}`));
      })
      .catch(reject);
  });
}
