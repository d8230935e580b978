// API requests over kept-alive connections. @kubernetes/client-node makes a new undici
// Agent for every request, so every call (create, get, delete, list) opened a TCP
// connection and made a TLS handshake with the client certificate, ~18 ms and the API
// server's CPU each. One Agent per set of credentials instead: new credentials (a rotated
// certificate read again from its file) make a new one, and the old one closes once its
// requests are done.
import type { AgentOptions } from 'node:https';
import type { Cluster, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { PerCredentials } from './per-credentials.ts';

/** undici's Dispatcher, as the client library takes it (undici is its dependency, not ours). */
type Dispatcher = Parameters<RequestContext['setDispatcher']>[0];

type CreateDispatcher = (cluster: Cluster | null, agentOptions: AgentOptions) => Dispatcher | undefined;

/** `kc`, its API requests from now on sharing their connections. */
export function keepApiConnections(kc: KubeConfig): KubeConfig {
  // createDispatcher is private in the typings; the package's version is pinned and
  // test/unit/kube/kept-connections.test.ts counts the connections, so a change shows.
  const target = kc as unknown as { createDispatcher: CreateDispatcher };
  if (typeof target.createDispatcher !== 'function') return kc;
  const original = target.createDispatcher.bind(kc);
  const dispatchers = new PerCredentials<Dispatcher | undefined>((old) => void old?.close().catch(() => undefined));
  target.createDispatcher = (cluster, agentOptions) =>
    dispatchers.get(kc.createDispatcherOptions(cluster, agentOptions), () => original(cluster, agentOptions));
  return kc;
}
