// Connects a Temporal client for the CLI.
import { Client, Connection } from '@temporalio/client';
import { KeylessCodec } from '../codec/aes-gcm-codec.ts';
import type { RuntimeConfig } from '../config/runtime-config.ts';
import { dataConverterOf } from '../codec/data-converter.ts';
import { temporalConnectOptions, unreachable } from '../temporal/connection-options.ts';

export interface ClosableClient {
  client: Client;
  close(): Promise<void>;
}

export async function connectClient(config: RuntimeConfig): Promise<ClosableClient> {
  const connection = await Connection.connect({
    ...temporalConnectOptions(config),
    connectTimeout: '10 seconds',
  }).catch((err: unknown) => {
    throw unreachable(config, err);
  });
  // Without keys, encrypted payloads read as null (see KeylessCodec) rather than failing.
  const dataConverter = dataConverterOf(config) ?? { payloadCodecs: [new KeylessCodec()] };
  return {
    client: new Client({ connection, namespace: config.temporalNamespace, dataConverter }),
    close: () => connection.close(),
  };
}
