// Connects a Temporal client for the CLI.
import { Client, Connection } from '@temporalio/client';
import type { RuntimeConfig } from '../config/runtime-config.ts';
import { temporalConnectOptions, unreachable } from '../temporal/connection-options.ts';

export interface ClosableClient {
  client: Client;
  close(): Promise<void>;
}

export async function connectClient(config: RuntimeConfig): Promise<ClosableClient> {
  const connection = await Connection.connect({ ...temporalConnectOptions(config), connectTimeout: '10 seconds' }).catch((err: unknown) => {
    throw unreachable(config, err);
  });
  return { client: new Client({ connection, namespace: config.temporalNamespace }), close: () => connection.close() };
}
