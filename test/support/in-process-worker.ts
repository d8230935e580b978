// A build worker and a client in the test's own process, on a task queue of their own.
import type { Client } from '@temporalio/client';
import type { RuntimeConfig } from '../../src/config/runtime-config.ts';
import { connectClient } from '../../src/client/temporal-client.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { createBuildWorker } from '../../src/worker/build-worker.ts';
import { resolveDeployment } from '../../src/worker/deployment.ts';
import type { Lab, LabConfig } from './lab.ts';

export interface InProcessWorker {
  config: LabConfig;
  client: Client;
  /** The worker's build store: the folder config.logRoot. */
  store: FileStore;
  stop(): Promise<void>;
}

export async function startInProcessWorker(
  lab: Lab,
  name: string,
  maxConcurrentSteps = 20,
  overrides: Partial<RuntimeConfig> = {},
): Promise<InProcessWorker> {
  const config = { ...lab.config(name), ...overrides };
  const store = new FileStore(config.logRoot);
  const worker = await createBuildWorker({
    config,
    store,
    deployment: resolveDeployment(config, undefined),
    maxConcurrentSteps,
    shutdownGraceSeconds: 1,
  });
  const running = worker.worker.run();
  const { client, close } = await connectClient(config);
  return {
    config,
    client,
    store,
    async stop() {
      worker.worker.shutdown();
      await running;
      await worker.close();
      await close();
    },
  };
}
