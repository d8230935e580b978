// A build worker and a client in the test's own process, on a task queue of their own.
import type { Client } from '@temporalio/client';
import { connectClient } from '../../src/client/temporal-client.ts';
import type { RuntimeConfig } from '../../src/config/runtime-config.ts';
import { createBuildWorker } from '../../src/worker/build-worker.ts';
import type { Lab } from './lab.ts';

export interface InProcessWorker {
  config: RuntimeConfig;
  client: Client;
  stop(): Promise<void>;
}

export async function startInProcessWorker(lab: Lab, name: string, maxConcurrentSteps = 20, overrides: Partial<RuntimeConfig> = {}): Promise<InProcessWorker> {
  const config = { ...lab.config(name), ...overrides };
  const worker = await createBuildWorker({ config, maxConcurrentSteps, shutdownGraceSeconds: 1 });
  const running = worker.worker.run();
  const { client, close } = await connectClient(config);
  return {
    config,
    client,
    async stop() {
      worker.worker.shutdown();
      await running;
      await worker.close();
      await close();
    },
  };
}
