// Connects tests to the running lab: its Temporal server and Kubernetes API server.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { readLabStatus } from '../../src/cli/local-lab.ts';
import type { RuntimeConfig } from '../../src/config/runtime-config.ts';
import { loadKubeConfig } from '../../src/kube/kube-config.ts';

/** A test's connection settings and a folder store of its own. */
export type LabConfig = RuntimeConfig & { logRoot: string };

export interface Lab {
  status: Record<string, string>;
  kc: KubeConfig;
  core: CoreV1Api;
  namespace: string;
  /** A runtime config of its own (task queue, log folder) for one test file. */
  config(name: string): LabConfig;
}

export function connectLab(): Lab {
  const status = readLabStatus();
  if (!status?.KUBECONFIG || !status.TEMPORAL_ADDRESS) throw new Error('the lab is down: run `npm run lab:up`');
  const kc = loadKubeConfig(status.KUBECONFIG);
  const namespace = status.KUBE_NAMESPACE ?? status.LAB_NAMESPACE ?? 'wharf';
  return {
    status,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    namespace,
    config: (name) => ({
      temporalAddress: status.TEMPORAL_ADDRESS!,
      temporalNamespace: status.TEMPORAL_NAMESPACE ?? 'default',
      temporalUiUrl: status.TEMPORAL_UI_URL ?? null,
      taskQueue: `test-${name}-${process.pid}-${Date.now()}`,
      kubeconfig: status.KUBECONFIG!,
      kubeNamespace: namespace,
      logRoot: mkdtempSync(join(tmpdir(), `logs-${name}-`)),
      fromLab: true,
    }),
  };
}

/** Pods of one build, as the API server lists them now. */
export async function buildPods(lab: Lab, buildId: string): Promise<V1Pod[]> {
  const list = await lab.core.listNamespacedPod({
    namespace: lab.namespace,
    labelSelector: `wharf-temporal/build-id=${buildId}`,
  });
  return list.items;
}
