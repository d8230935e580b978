// Request counters scraped from Prometheus endpoints: the kube-apiserver's /metrics
// (apiserver_request_total) and the Temporal server's (persistence_requests, its store).
import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** Sum of every sample of a counter in a Prometheus text exposition. */
export function sumCounter(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export async function apiServerRequests(kc: KubeConfig): Promise<number> {
  const server = new URL(kc.getCurrentCluster()!.server);
  const options: RequestOptions = { host: server.hostname, port: server.port, path: '/metrics', method: 'GET' };
  await kc.applyToHTTPSOptions(options);
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(options, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`apiserver /metrics: HTTP ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
  return sumCounter(text, 'apiserver_request_total');
}

/** The Temporal server's persistence requests so far; NaN when its metrics are not reachable. */
export async function temporalStoreRequests(metricsUrl: string): Promise<number> {
  try {
    const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) });
    return sumCounter(await res.text(), 'persistence_requests');
  } catch {
    return NaN;
  }
}

export function temporalMetricsUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `http://127.0.0.1:${env.LAB_TEMPORAL_METRICS_PORT ?? '17253'}/metrics`;
}
