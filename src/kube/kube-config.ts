// Loads the kubeconfig the worker and the CLI talk to Kubernetes with.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../config/config-error.ts';
import type { RuntimeConfig } from '../config/runtime-config.ts';
import { nameOf, settingByFlag } from '../config/settings.ts';
import { keepApiConnections } from './kept-connections.ts';

/** Loads `path`, or the usual places ($KUBECONFIG, ~/.kube/config, in-cluster). */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return keepApiConnections(kc);
}

/**
 * The credentials a runtime config names: its kubeconfig file and context, the pod's
 * service account, or ~/.kube/config. A file that cannot be read or a context it does
 * not have fails here, naming the setting.
 */
export function loadClusterConfig(
  config: Pick<RuntimeConfig, 'kubeconfig' | 'kubeContext' | 'kubeInCluster'>,
): KubeConfig {
  const kc = new KubeConfig();
  if (config.kubeInCluster) {
    kc.loadFromCluster();
    return keepApiConnections(kc);
  }
  const path = config.kubeconfig ?? join(homedir(), '.kube', 'config');
  try {
    kc.loadFromFile(path);
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message.split('\n')[0];
    throw new ConfigError(`${nameOf(settingByFlag('kubeconfig'))}: cannot read ${path}: ${reason}`);
  }
  if (config.kubeContext) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(config.kubeContext)) {
      throw new ConfigError(
        `${nameOf(settingByFlag('context'))}: no context '${config.kubeContext}' in ${path} (it has: ${names.join(', ') || 'none'})`,
      );
    }
    kc.setCurrentContext(config.kubeContext);
  }
  if (!kc.getCurrentCluster()) {
    throw new ConfigError(`${nameOf(settingByFlag('kubeconfig'))}: ${path} names no cluster for its current context`);
  }
  return keepApiConnections(kc);
}
