import { resolveRuntimeConfig } from '../config/runtime-config.js';
import { SETTINGS } from '../config/settings.js';
import { readLabStatus } from './local-lab.js';
const CONNECTION_SETTINGS = SETTINGS.filter((s) => s.connection && s.flag);
export const CONNECTION_OPTIONS = Object.fromEntries([
    ...CONNECTION_SETTINGS.map((s) => [s.flag, { type: s.value === null ? 'boolean' : 'string' }]),
    ['no-tls', { type: 'boolean' }],
]);
export const CONNECTION_HELP = `connection (flags, then the environment, then Temporal's configuration file; the
local lab when nothing is configured):
${CONNECTION_SETTINGS.map((s) => `  ${`--${s.flag}${s.value ? ` ${s.value}` : ''}`.padEnd(28)} ${s.summary} (${s.env}, default: ${s.default})`).join('\n')}`;
export function connectionOverrides(values) {
    const str = (key) => (typeof values[key] === 'string' ? values[key] : undefined);
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
    };
}
/** The configuration a command's flags and the environment give; the local lab when they give none. */
export function resolveConnection(values, env = process.env) {
    return resolveRuntimeConfig(connectionOverrides(values), env, readLabStatus);
}
