export function temporalConnectOptions(config) {
    return {
        address: config.temporalAddress,
        ...(config.temporalTls !== undefined ? { tls: config.temporalTls } : {}),
        ...(config.temporalApiKey !== undefined ? { apiKey: config.temporalApiKey } : {}),
        ...(config.temporalMetadata ? { metadata: config.temporalMetadata } : {}),
    };
}
/**
 * A connection failure that names the server it tried, the reason, and the settings that
 * most likely fix it.
 */
export function unreachable(config, err) {
    const reason = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
    const tls = config.temporalTls !== undefined ? config.temporalTls !== false : config.temporalApiKey !== undefined;
    const clientCert = typeof config.temporalTls === 'object' && config.temporalTls.clientCertPair !== undefined;
    let hint = '';
    if (/UNAUTHENTICATED|PERMISSION_DENIED|\b401\b|\b403\b/i.test(reason)) {
        hint = config.temporalApiKey !== undefined ? '; the server refused the API key (TEMPORAL_API_KEY)' : '; the server wants credentials: an API key (TEMPORAL_API_KEY) or a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH)';
    }
    else if (tls && !clientCert && /certificate|handshake|tls|ssl|alert/i.test(reason)) {
        hint = '; if the server requires a client certificate, set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH';
    }
    else if (tls && /certificate|verify|UnknownIssuer|self.signed/i.test(reason)) {
        hint = "; to trust the server's certificate set TEMPORAL_TLS_SERVER_CA_CERT_PATH (and TEMPORAL_TLS_SERVER_NAME if it names another host)";
    }
    else if (!tls) {
        hint = config.fromLab ? '; for the local lab: npm run lab:up' : '; if the server speaks TLS, set TEMPORAL_TLS=true (or its TLS settings)';
    }
    return new Error(`cannot connect to the Temporal server at ${config.temporalAddress} (${reason})${hint}`);
}
