// Connects a Temporal client for the CLI.
import { Client, Connection } from '@temporalio/client';
import { KeylessCodec } from '../codec/aes-gcm-codec.ts';
import { dataConverterOf, type RuntimeConfig } from '../config/runtime-config.ts';

export interface ClosableClient {
  client: Client;
  close(): Promise<void>;
}

export async function connectClient(config: RuntimeConfig): Promise<ClosableClient> {
  const connection = await Connection.connect({ address: config.temporalAddress, connectTimeout: '10 seconds' }).catch((err: unknown) => {
    throw unreachable(config.temporalAddress, err);
  });
  // Without keys, encrypted payloads read as null (see KeylessCodec) rather than failing.
  const dataConverter = dataConverterOf(config) ?? { payloadCodecs: [new KeylessCodec()] };
  return { client: new Client({ connection, namespace: config.temporalNamespace, dataConverter }), close: () => connection.close() };
}

/** A connection failure that names the server it tried and how to start the local one. */
export function unreachable(address: string, err: unknown): Error {
  const reason = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
  return new Error(`cannot reach the Temporal server at ${address} (${reason}); for the local lab: npm run lab:up`);
}
