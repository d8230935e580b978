// Where the CLI and the worker find Temporal and Kubernetes: flags first, then the
// environment, then Temporal's configuration file. The local lab is a fallback the CLI
// offers (`lab`) and is asked only when nothing at all is configured and the process does
// not run in a pod.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';
import { inCluster, kubeConfigured, resolveKubeSource } from './kube-source.js';
import { nameOf, settingByFlag } from './settings.js';
import { resolveTemporalConnection } from './temporal-profile.js';
export { ConfigError } from './config-error.js';
export function resolveRuntimeConfig(flags = {}, env = process.env, lab) {
    const temporal = resolveTemporalConnection(flags, env);
    const kube = resolveKubeSource(flags, env);
    const configured = temporal.address !== null || kubeConfigured(flags, env);
    const labStatus = configured || !lab ? null : lab();
    const temporalAddress = temporal.address ?? labStatus?.TEMPORAL_ADDRESS;
    if (!temporalAddress)
        throw new ConfigError(noServer(flags, env, lab !== undefined));
    const kubeNamespace = flags.kubeNamespace || env.WHARF_TEMPORAL_NAMESPACE || labStatus?.KUBE_NAMESPACE || 'wharf';
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(kubeNamespace)) {
        throw new ConfigError(`${nameOf(settingByFlag('kube-namespace'))}: '${kubeNamespace}' is not a Kubernetes namespace name (lower-case letters, digits and '-', at most 63)`);
    }
    return {
        temporalAddress,
        temporalNamespace: temporal.namespace ?? labStatus?.TEMPORAL_NAMESPACE ?? 'default',
        ...(temporal.tls !== undefined ? { temporalTls: temporal.tls } : {}),
        ...(temporal.apiKey !== undefined ? { temporalApiKey: temporal.apiKey } : {}),
        ...(temporal.metadata ? { temporalMetadata: temporal.metadata } : {}),
        temporalUiUrl: env.TEMPORAL_UI_URL || labStatus?.TEMPORAL_UI_URL || null,
        taskQueue: flags.taskQueue || env.WHARF_TEMPORAL_TASK_QUEUE || 'wharf-builds',
        kubeconfig: kube.kind === 'file' ? kube.path : (labStatus?.KUBECONFIG ?? null),
        kubeContext: kube.kind === 'in-cluster' ? null : kube.context,
        kubeInCluster: kube.kind === 'in-cluster',
        kubeNamespace,
        logRoot: logRoot(env),
        fromLab: labStatus !== null,
    };
}
/** The log folder (WHARF_TEMPORAL_LOG_DIR, else the XDG state folder). */
export function logRoot(env) {
    if (env.WHARF_TEMPORAL_LOG_DIR)
        return env.WHARF_TEMPORAL_LOG_DIR;
    const state = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
    return join(state, 'wharf-temporal', 'logs');
}
function noServer(flags, env, labOffered) {
    const how = `set ${nameOf(settingByFlag('temporal-address'))} (or a profile in ${nameOf(settingByFlag('config-file'))})`;
    if (inCluster(env))
        return `no Temporal server configured: ${how}; in a pod the local lab is never used`;
    if (kubeConfigured(flags, env))
        return `no Temporal server configured: ${how}; the local lab is used only when nothing is configured, and Kubernetes is`;
    if (!labOffered)
        return `no Temporal server configured: ${how}`;
    return `no Temporal server configured: ${how}, or start the local lab with \`npm run lab:up\``;
}
export function buildUiLink(config, workflowId) {
    if (!config.temporalUiUrl)
        return null;
    return `${config.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.temporalNamespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
