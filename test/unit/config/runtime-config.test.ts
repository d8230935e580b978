import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, resolveRuntimeConfig, type LabLookup } from '../../../src/config/runtime-config.ts';
import { settingsTable } from '../../../src/config/settings.ts';
import { loadClusterConfig } from '../../../src/kube/kube-config.ts';

const LAB = {
  TEMPORAL_ADDRESS: '127.0.0.1:17233',
  TEMPORAL_NAMESPACE: 'default',
  KUBECONFIG: '/lab/kubeconfig',
  KUBE_NAMESPACE: 'wharf',
  TEMPORAL_UI_URL: 'http://127.0.0.1:18233',
};

/** A lab lookup that counts its calls. */
function labLookup(status: Record<string, string> | null = LAB): LabLookup & { calls: number } {
  const lookup = Object.assign(
    () => {
      lookup.calls++;
      return status;
    },
    { calls: 0 },
  );
  return lookup;
}

const dir = mkdtempSync(join(tmpdir(), 'config-test-'));
/** An environment with an empty home, so no real configuration file is read. */
const home = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ HOME: join(dir, 'empty-home'), ...extra });

function certificatePair(): { cert: string; key: string } {
  const cert = join(dir, 'client.crt');
  const key = join(dir, 'client.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      '/CN=client',
      '-days',
      '1',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `a ConfigError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('runtime config', () => {
  it('uses the local lab when nothing is configured', () => {
    const lab = labLookup();
    const config = resolveRuntimeConfig({}, home(), lab);
    assert.equal(lab.calls, 1);
    assert.equal(config.fromLab, true);
    assert.equal(config.temporalAddress, LAB.TEMPORAL_ADDRESS);
    assert.equal(config.kubeconfig, LAB.KUBECONFIG);
    assert.equal(config.temporalTls, undefined);
  });

  it('never asks the lab once a Temporal address is set, and keeps its kubeconfig out', () => {
    const lab = labLookup();
    const config = resolveRuntimeConfig({}, home({ TEMPORAL_ADDRESS: 'temporal.example:7233' }), lab);
    assert.equal(lab.calls, 0);
    assert.equal(config.fromLab, false);
    assert.equal(config.temporalAddress, 'temporal.example:7233');
    assert.equal(config.kubeconfig, null);
    assert.equal(config.kubeInCluster, false);
  });

  it('never uses the lab in a pod: in-cluster credentials, and no guessed Temporal server', () => {
    const lab = labLookup();
    rejects(
      () => resolveRuntimeConfig({}, home({ KUBERNETES_SERVICE_HOST: '10.0.0.1' }), lab),
      /TEMPORAL_ADDRESS.*in a pod the local lab is never used/,
    );
    assert.equal(lab.calls, 0);
    const config = resolveRuntimeConfig(
      {},
      home({ KUBERNETES_SERVICE_HOST: '10.0.0.1', TEMPORAL_ADDRESS: 'temporal:7233' }),
      lab,
    );
    assert.equal(config.kubeInCluster, true);
    assert.equal(config.kubeconfig, null);
    assert.equal(lab.calls, 0);
  });

  it('does not take the lab for Temporal when only Kubernetes is configured', () => {
    const lab = labLookup();
    rejects(
      () => resolveRuntimeConfig({}, home({ KUBECONFIG: '/some/kubeconfig' }), lab),
      /no Temporal server configured.*--temporal-address \/ TEMPORAL_ADDRESS/,
    );
    rejects(() => resolveRuntimeConfig({ context: 'prod' }, home(), lab), /no Temporal server configured/);
    assert.equal(lab.calls, 0);
  });

  it('says how to start the lab when nothing is configured and it is down', () => {
    rejects(() => resolveRuntimeConfig({}, home(), labLookup(null)), /npm run lab:up/);
  });

  it('reads a profile of the TOML configuration file, as Temporal tools do', () => {
    const { cert, key } = certificatePair();
    const file = join(dir, 'temporal.toml');
    writeFileSync(
      file,
      [
        '[profile.default]',
        'address = "localhost:7233"',
        '',
        '[profile.prod]',
        'address = "prod.tmprl.cloud:7233"',
        'namespace = "prod.acct"',
        '[profile.prod.tls]',
        `client_cert_path = "${cert}"`,
        `client_key_path = "${key}"`,
        'server_name = "prod.tmprl.cloud"',
        '[profile.prod.grpc_meta]',
        'x-team = "builds"',
        '',
      ].join('\n'),
    );
    const lab = labLookup();
    const config = resolveRuntimeConfig({}, home({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' }), lab);
    assert.equal(lab.calls, 0);
    assert.equal(config.temporalAddress, 'prod.tmprl.cloud:7233');
    assert.equal(config.temporalNamespace, 'prod.acct');
    assert.deepEqual(config.temporalMetadata, { 'x-team': 'builds' });
    const tls = config.temporalTls;
    assert.ok(typeof tls === 'object' && tls !== null);
    assert.equal(tls.serverNameOverride, 'prod.tmprl.cloud');
    assert.deepEqual(Buffer.from(tls.clientCertPair!.crt), readFileSync(cert));
    assert.deepEqual(Buffer.from(tls.clientCertPair!.key), readFileSync(key));
    // The environment wins over the file, and flags over both.
    const overridden = resolveRuntimeConfig(
      { temporalNamespace: 'flagged' },
      home({
        TEMPORAL_CONFIG_FILE: file,
        TEMPORAL_PROFILE: 'prod',
        TEMPORAL_ADDRESS: 'env.example:7233',
        TEMPORAL_NAMESPACE: 'env',
      }),
      lab,
    );
    assert.equal(overridden.temporalAddress, 'env.example:7233');
    assert.equal(overridden.temporalNamespace, 'flagged');
  });

  it('finds the configuration file in the user config folder', () => {
    const userHome = join(dir, 'home-with-config');
    mkdirSync(join(userHome, '.config', 'temporalio'), { recursive: true });
    writeFileSync(
      join(userHome, '.config', 'temporalio', 'temporal.toml'),
      '[profile.default]\naddress = "from-file:7233"\n',
    );
    const lab = labLookup();
    const config = resolveRuntimeConfig({}, { HOME: userHome }, lab);
    assert.equal(config.temporalAddress, 'from-file:7233');
    assert.equal(lab.calls, 0);
  });

  it('turns TLS on for an API key, and sends it as the SDK does', () => {
    const config = resolveRuntimeConfig(
      {},
      home({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'secret-key' }),
    );
    assert.equal(config.temporalApiKey, 'secret-key');
    assert.equal(config.temporalTls, true);
    const plain = resolveRuntimeConfig({ tls: false }, home({ TEMPORAL_ADDRESS: 'proxy:7233', TEMPORAL_API_KEY: 'k' }));
    assert.equal(plain.temporalTls, false);
  });

  it('names the setting when a TLS file is missing or half a pair', () => {
    const { cert } = certificatePair();
    rejects(
      () =>
        resolveRuntimeConfig(
          {},
          home({ TEMPORAL_ADDRESS: 'a:1', TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'nope.crt') }),
        ),
      /--tls-cert-path \/ TEMPORAL_TLS_CLIENT_CERT_PATH: no such file: .*nope\.crt/,
    );
    rejects(
      () => resolveRuntimeConfig({ tlsCaPath: join(dir, 'nope-ca.crt') }, home({ TEMPORAL_ADDRESS: 'a:1' })),
      /TEMPORAL_TLS_SERVER_CA_CERT_PATH: no such file/,
    );
    rejects(
      () => resolveRuntimeConfig({}, home({ TEMPORAL_ADDRESS: 'a:1', TEMPORAL_TLS_CLIENT_CERT_PATH: cert })),
      /TEMPORAL_TLS_CLIENT_KEY_PATH: a client certificate needs its key/,
    );
  });

  it('names the setting for a missing file, an unknown profile, bad TOML and a bad address', () => {
    rejects(
      () => resolveRuntimeConfig({}, home({ TEMPORAL_CONFIG_FILE: join(dir, 'missing.toml') })),
      /--config-file \/ TEMPORAL_CONFIG_FILE: no such file/,
    );
    const file = join(dir, 'one.toml');
    writeFileSync(file, '[profile.default]\naddress = "a:1"\n');
    rejects(
      () => resolveRuntimeConfig({ profile: 'staging' }, home({ TEMPORAL_CONFIG_FILE: file })),
      /--profile \/ TEMPORAL_PROFILE: no profile 'staging' in .*one\.toml/,
    );
    const bad = join(dir, 'bad.toml');
    writeFileSync(bad, '[profile.default]\naddress = "a:1"\nnamespace = \n');
    rejects(
      () => resolveRuntimeConfig({}, home({ TEMPORAL_CONFIG_FILE: bad })),
      /bad\.toml:3:\d+: .*TEMPORAL_CONFIG_FILE/,
    );
    const unknown = join(dir, 'unknown.toml');
    writeFileSync(unknown, '[profile.default]\naddres = "a:1"\n');
    rejects(() => resolveRuntimeConfig({}, home({ TEMPORAL_CONFIG_FILE: unknown })), /unknown\.toml: .*addres/);
    rejects(
      () => resolveRuntimeConfig({}, home({ TEMPORAL_ADDRESS: 'http://temporal:7233' })),
      /--temporal-address \/ TEMPORAL_ADDRESS: expected HOST:PORT, got 'http:\/\/temporal:7233'/,
    );
    rejects(
      () => resolveRuntimeConfig({ kubeNamespace: 'Builds_1' }, home({ TEMPORAL_ADDRESS: 'a:1' })),
      /--kube-namespace \/ WHARF_TEMPORAL_NAMESPACE: 'Builds_1'/,
    );
  });

  it('loads the kubeconfig context asked for, and names --context when the file has none such', () => {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: one',
        'clusters:',
        '- name: c1',
        '  cluster: {server: "https://one.example:6443"}',
        '- name: c2',
        '  cluster: {server: "https://two.example:6443"}',
        'users:',
        '- name: u',
        '  user: {token: t}',
        'contexts:',
        '- name: one',
        '  context: {cluster: c1, user: u}',
        '- name: two',
        '  context: {cluster: c2, user: u}',
        '',
      ].join('\n'),
    );
    const config = resolveRuntimeConfig({ context: 'two' }, home({ TEMPORAL_ADDRESS: 'a:1', KUBECONFIG: kubeconfig }));
    assert.equal(loadClusterConfig(config).getCurrentCluster()?.server, 'https://two.example:6443');
    assert.equal(
      loadClusterConfig({ ...config, kubeContext: null }).getCurrentCluster()?.server,
      'https://one.example:6443',
    );
    rejects(
      () => loadClusterConfig({ ...config, kubeContext: 'three' }),
      /--context \/ WHARF_TEMPORAL_KUBE_CONTEXT: no context 'three' in .*kubeconfig \(it has: one, two\)/,
    );
    rejects(
      () => loadClusterConfig({ ...config, kubeconfig: join(dir, 'no-kubeconfig') }),
      /--kubeconfig \/ KUBECONFIG: cannot read .*no-kubeconfig: no such file/,
    );
  });

  it('is documented in the README as the settings table says', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    assert.ok(
      readme.includes(settingsTable()),
      `README.md must carry the settings table exactly as rendered:\n${settingsTable()}`,
    );
  });
});
