// The Temporal connection as Temporal's own tools configure it (environment
// configuration: TEMPORAL_* variables over a profile of a TOML file), with this program's
// flags over both. Every mistake names the setting it is about.
import { existsSync, readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import {
  loadClientConfigProfile,
  toClientOptions,
  type ClientConfigProfile,
  type ConfigDataSource,
} from '@temporalio/envconfig';
import { ConfigError } from './config-error.ts';
import { nameOf, settingByFlag } from './settings.ts';

export interface TemporalFlags {
  temporalAddress?: string;
  temporalNamespace?: string;
  profile?: string;
  configFile?: string;
  apiKey?: string;
  /** true: --tls, false: --no-tls. */
  tls?: boolean;
  tlsCertPath?: string;
  tlsKeyPath?: string;
  tlsCaPath?: string;
  tlsServerName?: string;
}

export interface TemporalConnectionSettings {
  /** Null when nothing names a server. */
  address: string | null;
  namespace: string | null;
  apiKey?: string;
  tls?: TLSConfig | boolean;
  metadata?: Record<string, string>;
}

export function resolveTemporalConnection(flags: TemporalFlags, env: NodeJS.ProcessEnv): TemporalConnectionSettings {
  // An empty variable counts as unset, as it does for every other setting.
  const environ: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value) environ[key] = value;
  const configFile = flags.configFile ?? environ.TEMPORAL_CONFIG_FILE;
  const configSetting = settingByFlag('config-file');
  if (configFile !== undefined && !existsSync(configFile))
    throw new ConfigError(`${nameOf(configSetting)}: no such file: ${configFile}`);
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({
      ...(flags.profile ? { profile: flags.profile } : {}),
      ...(configFile ? { configSource: { path: configFile } } : {}),
      configFileStrict: true,
      overrideEnvVars: environ,
    });
  } catch (err) {
    throw profileError(err, configFile, flags.profile ?? environ.TEMPORAL_PROFILE);
  }
  applyFlags(profile, flags);
  const tls = profile.tls;
  if (tls && !tls.disabled) {
    check(tls.clientCert, 'tls-cert-path');
    check(tls.clientKey, 'tls-key-path');
    check(tls.serverCACert, 'tls-ca-path');
    if (Boolean(tls.clientCert) !== Boolean(tls.clientKey)) {
      const missing = tls.clientCert ? 'tls-key-path' : 'tls-cert-path';
      throw new ConfigError(
        `${nameOf(settingByFlag(missing))}: a client certificate needs its key and a key its certificate`,
      );
    }
  }
  if (profile.address !== undefined && !/^[^\s:/]+:\d+$|^\[[0-9a-fA-F:]+\]:\d+$/.test(profile.address)) {
    throw new ConfigError(`${nameOf(settingByFlag('temporal-address'))}: expected HOST:PORT, got '${profile.address}'`);
  }
  const { connectionOptions, namespace } = toClientOptions(profile);
  return {
    address: profile.address ?? null,
    namespace: namespace ?? null,
    ...(connectionOptions.apiKey !== undefined ? { apiKey: connectionOptions.apiKey as string } : {}),
    ...(connectionOptions.tls !== undefined && connectionOptions.tls !== null ? { tls: connectionOptions.tls } : {}),
    ...(profile.grpcMeta && Object.keys(profile.grpcMeta).length ? { metadata: profile.grpcMeta } : {}),
  };
}

function applyFlags(profile: ClientConfigProfile, flags: TemporalFlags): void {
  if (flags.temporalAddress) profile.address = flags.temporalAddress;
  if (flags.temporalNamespace) profile.namespace = flags.temporalNamespace;
  if (flags.apiKey) profile.apiKey = flags.apiKey;
  const tls = { ...profile.tls };
  if (flags.tls !== undefined) tls.disabled = !flags.tls;
  if (flags.tlsCertPath) tls.clientCert = { path: flags.tlsCertPath };
  if (flags.tlsKeyPath) tls.clientKey = { path: flags.tlsKeyPath };
  if (flags.tlsCaPath) tls.serverCACert = { path: flags.tlsCaPath };
  if (flags.tlsServerName) tls.serverName = flags.tlsServerName;
  if (Object.keys(tls).length) profile.tls = tls;
}

/** A file a TLS setting names must be there and readable now, not at the first call. */
function check(source: ConfigDataSource | undefined, flag: string): void {
  if (!source || !('path' in source)) return;
  try {
    readFileSync(source.path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError(`${nameOf(settingByFlag(flag))}: ${reason}: ${source.path}`);
  }
}

function profileError(err: unknown, configFile: string | undefined, profileName: string | undefined): ConfigError {
  const message = err instanceof Error ? err.message : String(err);
  const file = configFile ?? 'the Temporal configuration file';
  if (/^Profile '.*' not found/.test(message)) {
    return new ConfigError(`${nameOf(settingByFlag('profile'))}: no profile '${profileName}' in ${file}`);
  }
  // smol-toml's errors carry the position: "Invalid TOML document: ... (line, column)".
  const position = err as { line?: number; column?: number };
  const where = position.line !== undefined ? `${file}:${position.line}:${position.column ?? 1}` : file;
  return new ConfigError(`${where}: ${message.split('\n')[0]} (${nameOf(settingByFlag('config-file'))})`);
}
