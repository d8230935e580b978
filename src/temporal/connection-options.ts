// The options the Temporal client and the worker connect with, from the runtime config,
// and the one-line error a failed connection becomes.
import type { TLSConfig } from '@temporalio/client';
import type { RuntimeConfig } from '../config/runtime-config.ts';

export interface TemporalConnectOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Record<string, string>;
}

export function temporalConnectOptions(config: RuntimeConfig): TemporalConnectOptions {
  return {
    address: config.temporalAddress,
    ...(config.temporalTls !== undefined ? { tls: config.temporalTls } : {}),
    ...(config.temporalApiKey !== undefined ? { apiKey: config.temporalApiKey } : {}),
    ...(config.temporalMetadata ? { metadata: config.temporalMetadata } : {}),
  };
}

/**
 * A connection failure that names the server it tried, the reason (with its causes), and
 * the settings that most likely fix it.
 */
export function unreachable(
  config: Pick<RuntimeConfig, 'temporalAddress' | 'temporalTls' | 'temporalApiKey' | 'fromLab'>,
  err: unknown,
): Error {
  const reason = reasonOf(err);
  const tls = config.temporalTls !== undefined ? config.temporalTls !== false : config.temporalApiKey !== undefined;
  const clientCert = typeof config.temporalTls === 'object' && config.temporalTls.clientCertPair !== undefined;
  const serverCa = typeof config.temporalTls === 'object' && config.temporalTls.serverRootCACertificate !== undefined;
  let hint = '';
  if (/UNAUTHENTICATED|PERMISSION_DENIED|\b40[13]\b/.test(reason)) {
    hint =
      config.temporalApiKey !== undefined
        ? '; the server refused the API key (TEMPORAL_API_KEY)'
        : '; the server wants credentials: an API key (TEMPORAL_API_KEY) or a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH)';
  } else if (tls && /\b400\b|certificate required|handshake/i.test(reason)) {
    // A TLS front that wants a client certificate answers 400 or ends the handshake.
    hint = clientCert
      ? '; the server did not accept the client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH)'
      : '; the server requires a client certificate: set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH';
  } else if (
    tls &&
    !serverCa &&
    /UnknownIssuer|self.signed|unable to verify|certificate|before the deadline/i.test(reason)
  ) {
    hint =
      "; if the server's certificate is not from a public CA, set TEMPORAL_TLS_SERVER_CA_CERT_PATH (and TEMPORAL_TLS_SERVER_NAME if it names another host)";
  } else if (!tls) {
    hint = config.fromLab
      ? '; for the local lab: npm run lab:up'
      : '; if the server speaks TLS, set TEMPORAL_TLS=true (or its TLS settings)';
  }
  return new Error(`cannot connect to the Temporal server at ${config.temporalAddress} (${reason})${hint}`);
}

/** The first line of an error's message and of each of its causes. */
function reasonOf(err: unknown): string {
  const parts: string[] = [];
  for (
    let e: unknown = err, depth = 0;
    e !== undefined && e !== null && depth < 4;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
    if (message && !parts.some((p) => p.includes(message))) parts.push(message);
    if (!(e instanceof Error)) break;
  }
  return parts.join(': ');
}
