// Flags every command that talks to Temporal or Kubernetes shares, made from the settings
// table, and the configuration they resolve to (the local lab when nothing is configured).
import type { ParseArgsConfig } from 'node:util';
import { resolveRuntimeConfig, type ConfigOverrides, type RuntimeConfig } from '../config/runtime-config.ts';
import { SETTINGS } from '../config/settings.ts';
import { readLabStatus } from './local-lab.ts';

const CONNECTION_SETTINGS = SETTINGS.filter((s) => s.connection && s.flag);

export const CONNECTION_OPTIONS: ParseArgsConfig['options'] = Object.fromEntries([
  ...CONNECTION_SETTINGS.map((s) => [s.flag!, { type: s.value === null ? 'boolean' : 'string' }] as const),
  ['no-tls', { type: 'boolean' }] as const,
]);

export const CONNECTION_HELP = `connection (flags, then the environment, then Temporal's configuration file; the
local lab when nothing is configured):
${CONNECTION_SETTINGS.map((s) => `  ${`--${s.flag}${s.value ? ` ${s.value}` : ''}`.padEnd(28)} ${s.summary} (${s.env}, default: ${s.default})`).join('\n')}`;

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export function connectionOverrides(values: Values): ConfigOverrides {
  const str = (key: string): string | undefined =>
    typeof values[key] === 'string' ? (values[key] as string) : undefined;
  return {
    temporalAddress: str('temporal-address'),
    temporalNamespace: str('temporal-namespace'),
    profile: str('profile'),
    configFile: str('config-file'),
    apiKey: str('api-key'),
    ...(values['no-tls'] ? { tls: false } : values.tls ? { tls: true } : {}),
    tlsCertPath: str('tls-cert-path'),
    tlsKeyPath: str('tls-key-path'),
    tlsCaPath: str('tls-ca-path'),
    tlsServerName: str('tls-server-name'),
    taskQueue: str('task-queue'),
    kubeconfig: str('kubeconfig'),
    context: str('context'),
    kubeNamespace: str('kube-namespace'),
    codecKeyFile: str('codec-key-file'),
  };
}

/** The configuration a command's flags and the environment give; the local lab when they give none. */
export function resolveConnection(values: Values, env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  return resolveRuntimeConfig(connectionOverrides(values), env, readLabStatus);
}
