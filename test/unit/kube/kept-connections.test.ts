// API requests share their connections: the client library alone opens one per request.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { keepApiConnections } from '../../../src/kube/kept-connections.ts';

interface Counted {
  server: Server;
  port: number;
  connections: () => number;
}

async function countingServer(): Promise<Counted> {
  let connections = 0;
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'PodList', metadata: {}, items: [] }));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, connections: () => connections };
}

function kubeConfig(port: number): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function list(kc: KubeConfig, times: number): Promise<void> {
  const api = kc.makeApiClient(CoreV1Api);
  for (let i = 0; i < times; i++) {
    const pods = await api.listNamespacedPod({ namespace: 'n' });
    assert.equal(pods.kind, 'PodList');
  }
}

describe('API connections', () => {
  let counted: Counted;
  beforeEach(async () => {
    counted = await countingServer();
  });
  afterEach(async () => {
    counted.server.closeAllConnections();
    await new Promise<void>((resolve) => counted.server.close(() => resolve()));
  });

  it('are opened once per request by the client library alone', async () => {
    await list(kubeConfig(counted.port), 5);
    assert.equal(counted.connections(), 5);
  });

  it('are kept and shared by every request of a configuration', async () => {
    const kc = keepApiConnections(kubeConfig(counted.port));
    await list(kc, 10);
    await Promise.all([list(kc, 3), list(kc, 3)]);
    // A pool: a request sent while another's answer is still being read may open a second.
    assert.ok(counted.connections() <= 3, `${counted.connections()} connections for 16 requests`);
  });

  it('are opened anew when the connection options change', async () => {
    const kc = keepApiConnections(kubeConfig(counted.port));
    await list(kc, 3);
    const before = counted.connections();
    // The typings say read-only; a kubeconfig read again (rotated credentials) changes it all the same.
    (kc.getCurrentCluster() as { tlsServerName?: string }).tlsServerName = 'another.example';
    await list(kc, 3);
    assert.ok(counted.connections() > before, 'the new options have a connection of their own');
    const after = counted.connections();
    await list(kc, 3);
    assert.ok(counted.connections() <= after + 1, 'and keep it (a pool: one more at most)');
  });
});
