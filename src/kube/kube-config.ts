// Loads the kubeconfig the worker and the CLI talk to Kubernetes with.
import { KubeConfig } from '@kubernetes/client-node';

/** Loads `path`, or the usual places ($KUBECONFIG, ~/.kube/config, in-cluster). */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}
