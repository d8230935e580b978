// Connects a Temporal client for the CLI.
import { Client, Connection } from '@temporalio/client';
import type { RuntimeConfig } from '../config/runtime-config.ts';

export interface ClosableClient {
  client: Client;
  close(): Promise<void>;
}

export async function connectClient(config: RuntimeConfig): Promise<ClosableClient> {
  const connection = await Connection.connect({ address: config.temporalAddress, connectTimeout: '10 seconds' });
  return { client: new Client({ connection, namespace: config.temporalNamespace }), close: () => connection.close() };
}
