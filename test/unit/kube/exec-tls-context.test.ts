// Exec connections share one TLS context per set of credentials (making one parses the
// private key), and new credentials make a new one.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { RequestOptions } from 'node:https';
import type { SecureContext } from 'node:tls';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { withReusedTlsContext } from '../../../src/kube/pod-exec.ts';

const keyData = (): string =>
  Buffer.from(
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
  ).toString('base64');

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: false }],
    users: [{ name: 'u', keyData: keyData() }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function contextOf(kc: KubeConfig): Promise<SecureContext | undefined> {
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  return (opts as { secureContext?: SecureContext }).secureContext;
}

describe('TLS context of exec connections', () => {
  it('is made once for the same credentials, and again when they change', async () => {
    const kc = kubeConfig();
    const view = withReusedTlsContext(kc);
    assert.equal(withReusedTlsContext(kc), view, 'one view per configuration');
    const first = await contextOf(view);
    assert.ok(first, 'the options carry a TLS context');
    assert.equal(await contextOf(view), first, 'the same context the second time');
    assert.equal(await contextOf(kc), undefined, 'the configuration itself is left as it was');
    (kc.getCurrentUser() as User & { keyData: string }).keyData = keyData();
    const second = await contextOf(view);
    assert.ok(second && second !== first, 'a new key makes a new context');
  });
});
