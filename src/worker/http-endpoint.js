// The worker's HTTP port: /metrics for Prometheus (the worker's own metrics and the
// Temporal runtime's), /livez and /readyz for the Deployment's probes.
import { createServer } from 'node:http';
export async function startHttpEndpoint(options) {
    const server = createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        const reply = (status, body, type = 'text/plain; charset=utf-8') => {
            res.writeHead(status, { 'content-type': type }).end(body);
        };
        if (req.method !== 'GET' && req.method !== 'HEAD')
            return reply(405, 'method not allowed\n');
        if (path === '/livez')
            return options.health.live() ? reply(200, 'ok\n') : reply(503, 'worker failed\n');
        if (path === '/readyz')
            return options.health.ready() ? reply(200, 'ok\n') : reply(503, 'not polling\n');
        if (path === '/metrics') {
            options.metrics().then((text) => reply(200, text, 'text/plain; version=0.0.4; charset=utf-8'), (err) => reply(500, `metrics: ${err instanceof Error ? err.message : String(err)}\n`));
            return;
        }
        reply(404, 'not found: /metrics, /livez, /readyz\n');
    });
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => resolve());
    });
    return {
        port: server.address().port,
        close: () => new Promise((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
        }),
    };
}
