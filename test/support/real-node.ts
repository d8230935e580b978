// Whole builds on the lab's real node, for the tests that need it: the node's identity
// and images from the lab's status, a worker with the lab's worker settings (the real
// node's selector and toleration, the lab's images), plans made from a .wharf-ci.yml as
// the CLI makes them, and runs that record the node and the pods of every step.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Watch, type V1Pod } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import { awaitBuildOutcome } from '../../src/client/build-outcome.ts';
import { readAllRecords } from '../../src/client/log-follower.ts';
import { startBuild } from '../../src/client/start-build.ts';
import { connectClient } from '../../src/client/temporal-client.ts';
import { resolveWorkerSettings } from '../../src/config/worker-settings.ts';
import { makePlan } from '../../src/plan/make-plan.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { createBuildWorker } from '../../src/worker/build-worker.ts';
import { resolveDeployment } from '../../src/worker/deployment.ts';
import type { BuildWorkflowInput, SourceSpec } from '../../workflows/types.ts';
import { connectLab, type Lab, type LabConfig } from './lab.ts';

export interface RealNode {
  node: string;
  settingsFile: string;
  /** The lab's images by their status key without `LAB_IMAGE_` (BUSYBOX, DEBIAN_GIT, ...). */
  images: Record<string, string>;
  /** The pod bridge's address: the host as pods see it. */
  gateway: string;
  /** The lab registry, host:port. */
  registry: string;
}

/** The lab's real node, or an error saying what is missing (never a skip). */
export function realNode(lab: Lab): RealNode {
  const s = lab.status;
  if (!s.REAL_NODE || !s.LAB_WORKER_SETTINGS) {
    throw new Error(
      `the lab has no real node: ${s.REAL_NODE_MISSING ?? 'unknown reason'} (see \`bash tools/lab/node.sh status\`, logs in .lab/node/logs)`,
    );
  }
  const images = Object.fromEntries(
    Object.entries(s)
      .filter(([k]) => k.startsWith('LAB_IMAGE_'))
      .map(([k, v]) => [k.slice('LAB_IMAGE_'.length), v]),
  );
  return {
    node: s.REAL_NODE,
    settingsFile: s.LAB_WORKER_SETTINGS,
    images,
    gateway: s.REAL_NODE_GATEWAY ?? '',
    registry: s.LAB_REGISTRY ?? '',
  };
}

export interface RealNodeWorker {
  config: LabConfig;
  client: Client;
  stop(): Promise<void>;
}

/** A build worker in this process with the lab's worker settings (and the Secrets steps may read), and a client. */
export async function startRealNodeWorker(
  lab: Lab,
  real: RealNode,
  name: string,
  allowSecrets: string[] = [],
): Promise<RealNodeWorker> {
  const config = lab.config(name);
  const worker = await createBuildWorker({
    config,
    store: new FileStore(config.logRoot),
    deployment: resolveDeployment(config, undefined),
    maxConcurrentSteps: 10,
    shutdownGraceSeconds: 1,
    podSettings: resolveWorkerSettings({ config: real.settingsFile }, {}),
    podPolicy: { serviceAccounts: [], secrets: allowSecrets },
  });
  const running = worker.worker.run();
  const connected = await connectClient(config);
  return {
    config,
    client: connected.client,
    async stop() {
      worker.worker.shutdown();
      await running;
      await worker.close();
      await connected.close();
    },
  };
}

/** The build of a .wharf-ci.yml's text, planned as the CLI plans it. */
export function planOf(buildId: string, text: string, source: SourceSpec): BuildWorkflowInput {
  const dir = mkdtempSync(join(tmpdir(), 'real-node-'));
  writeFileSync(join(dir, '.wharf-ci.yml'), text);
  const made = makePlan({ file: '.wharf-ci.yml', cwd: dir, env: null, inputs: {}, buildId, environ: {} });
  if ('errors' in made) throw new Error(JSON.stringify(made.errors));
  return {
    buildId,
    plan: made.plan,
    source,
    onlyStages: [],
    timeouts: { pendingSeconds: 180, runSeconds: 240, heartbeatSeconds: 10 },
  };
}

/** Runs a build to its end; returns its outcome, the node each step's pod ran on, the pods it ever had and those left. */
export async function runOnLab(lab: Lab, worker: RealNodeWorker, build: BuildWorkflowInput) {
  const nodes = new Map<string, string>();
  const pods = new Set<string>();
  const abort = await new Watch(lab.kc).watch(
    `/api/v1/namespaces/${lab.namespace}/pods`,
    { labelSelector: `wharf-temporal/build-id=${build.buildId}` },
    (_type: string, pod: V1Pod) => {
      const step = pod.metadata?.annotations?.['wharf-temporal/step'];
      if (pod.metadata?.uid) pods.add(pod.metadata.uid);
      if (step && pod.spec?.nodeName) nodes.set(step, pod.spec.nodeName);
    },
    () => {},
  );
  try {
    await startBuild(worker.client, worker.config.taskQueue, build, { repository: 'real-node', branch: 'main' });
    const outcome = await awaitBuildOutcome(worker.client, build.buildId);
    const left = await lab.core.listNamespacedPod({
      namespace: lab.namespace,
      labelSelector: `wharf-temporal/build-id=${build.buildId}`,
    });
    const steps = Object.fromEntries((outcome.result?.stages ?? []).flatMap((s) => s.steps.map((st) => [st.name, st])));
    return { outcome, steps, nodes, podCount: pods.size, left: left.items.length };
  } finally {
    abort.abort();
  }
}

/** A step's output lines, as the worker stored them (without the worker's own lines). */
export async function stepLogs(worker: RealNodeWorker, buildId: string, step: string): Promise<string[]> {
  return (await readAllRecords(new FileStore(worker.config.logRoot), buildId))
    .filter((r) => r.step.step === step && r.record.s !== 'sys')
    .map((r) => r.record.l);
}

/** A source folder holding the given files. */
export function sourceWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'src-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** GET on the lab registry's API (TLS from the lab's CA); the parsed JSON body and the status. */
export function registryGet(lab: Lab, registry: string, path: string): Promise<{ status: number; body: unknown }> {
  const [host, port] = registry.split(':');
  const ca = readFileSync(join(dirname(lab.status.KUBECONFIG!), 'pki', 'ca.crt'));
  return new Promise((resolve, reject) => {
    const headers = { accept: 'application/vnd.oci.image.manifest.v1+json, application/json' };
    const req = request({ host, port: Number(port), path, ca, method: 'GET', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A describe block's lab, real node and worker, ready from its first test on. */
export interface RealNodeSuite {
  lab: Lab;
  real: RealNode;
  worker: RealNodeWorker;
  /** Runs a build on the suite's worker, recording the node and pods of every step (runOnLab). */
  run(build: BuildWorkflowInput): ReturnType<typeof runOnLab>;
  /** A step's output lines. */
  logsOf(buildId: string, step: string): Promise<string[]>;
}

/**
 * Registers a describe block's hooks: before its tests, the lab, its real node and the lab
 * status keys in `needs` (each failing, never skipping, when missing) and a worker of its
 * own, which may read the Secrets named by the status keys in `allowSecrets`; after them,
 * that worker stopped.
 */
export function realNodeSuite(
  name: string,
  options: { needs?: string[]; allowSecrets?: string[] } = {},
): RealNodeSuite {
  // Its fields are set by the before hook, which mocha runs ahead of every test using them.
  const suite = {} as RealNodeSuite;
  let worker: RealNodeWorker | undefined;
  before(async () => {
    const lab = connectLab();
    const real = realNode(lab);
    const secrets = options.allowSecrets ?? [];
    const missing = [...(options.needs ?? []), ...secrets].filter((key) => !lab.status[key]);
    if (missing.length > 0)
      throw new Error(`the lab status has no ${missing.join(', ')} (tools/lab/deploy-target.sh up)`);
    worker = await startRealNodeWorker(
      lab,
      real,
      name,
      secrets.map((key) => lab.status[key]!),
    );
    const started = worker;
    Object.assign(suite, {
      lab,
      real,
      worker: started,
      run: (build: BuildWorkflowInput) => runOnLab(lab, started, build),
      logsOf: (buildId: string, step: string) => stepLogs(started, buildId, step),
    });
  });
  after(async () => worker?.stop());
  return suite;
}
