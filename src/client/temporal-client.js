// Connects a Temporal client for the CLI.
import { Client, Connection } from '@temporalio/client';
import { temporalConnectOptions, unreachable } from '../temporal/connection-options.js';
export async function connectClient(config) {
    const connection = await Connection.connect({ ...temporalConnectOptions(config), connectTimeout: '10 seconds' }).catch((err) => {
        throw unreachable(config, err);
    });
    return { client: new Client({ connection, namespace: config.temporalNamespace }), close: () => connection.close() };
}
