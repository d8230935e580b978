// The worker's HTTP port: /metrics for Prometheus (the worker's own metrics and the
// Temporal runtime's), /livez and /readyz for the Deployment's probes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthState {
  /** False once the worker has failed: the process should be restarted. */
  live(): boolean;
  /** True while the worker polls its task queue (not before it has started, not while shutting down). */
  ready(): boolean;
}

export interface HttpEndpointOptions {
  host: string;
  port: number;
  health: HealthState;
  /** The metrics exposition text (Prometheus text format). */
  metrics(): Promise<string>;
}

export interface HttpEndpoint {
  port: number;
  close(): Promise<void>;
}

export async function startHttpEndpoint(options: HttpEndpointOptions): Promise<HttpEndpoint> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, { 'content-type': type }).end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');
    if (path === '/livez') return options.health.live() ? reply(200, 'ok\n') : reply(503, 'worker failed\n');
    if (path === '/readyz') return options.health.ready() ? reply(200, 'ok\n') : reply(503, 'not polling\n');
    if (path === '/metrics') {
      options.metrics().then(
        (text) => reply(200, text, 'text/plain; version=0.0.4; charset=utf-8'),
        (err: unknown) => reply(500, `metrics: ${err instanceof Error ? err.message : String(err)}\n`),
      );
      return;
    }
    reply(404, 'not found: /metrics, /livez, /readyz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
