// deploy/'s manifests for the lab: read as `kubectl apply -k deploy/` reads them, then laid
// over with the lab's overlay (the worker image from the lab registry, the real node's
// selector and toleration, namespaces of the test's own, the settings that reach the lab
// from the pod network), and TCP relays that let pods reach lab services bound to
// 127.0.0.1 through the real node's bridge address (tcp-relay.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubernetesObject, V1Deployment, V1EnvVar, V1RoleBinding, V1Toleration } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The namespaces deploy/ puts the worker and the step pods in. */
export const DEPLOY_NAMESPACES = { worker: 'wharf-temporal', builds: 'wharf-builds' } as const;

/** deploy/'s objects in the order its kustomization lists them (namespaces first). */
export function deployObjects(): KubernetesObject[] {
  const { resources } = parse(readFileSync(join(ROOT, 'deploy/kustomization.yaml'), 'utf8')) as { resources: string[] };
  return resources.flatMap((f) =>
    parseAllDocuments(readFileSync(join(ROOT, 'deploy', f), 'utf8')).map((d) => d.toJS() as KubernetesObject),
  );
}

export interface LabOverlay {
  /** The worker image, as the lab registry serves it. */
  image: string;
  /** Namespaces of the overlay's own, in place of deploy/'s. */
  namespaces: { worker: string; builds: string };
  replicas: number;
  nodeSelector: Record<string, string>;
  tolerations: V1Toleration[];
  /** Environment of the worker container: set over deploy/'s values, the others added. */
  env: Record<string, string>;
}

/** deploy/'s objects with the lab overlay laid over them (deploy/'s files stay as they are). */
export function withLabOverlay(objects: KubernetesObject[], overlay: LabOverlay): KubernetesObject[] {
  const renamed: Record<string, string> = {
    [DEPLOY_NAMESPACES.worker]: overlay.namespaces.worker,
    [DEPLOY_NAMESPACES.builds]: overlay.namespaces.builds,
  };
  const rename = (ns: string | undefined) => (ns && renamed[ns]) ?? ns;
  return objects.map((original) => {
    const object = structuredClone(original);
    const meta = object.metadata!;
    if (object.kind === 'Namespace') meta.name = rename(meta.name);
    else meta.namespace = rename(meta.namespace);
    if (object.kind === 'RoleBinding') {
      for (const subject of (object as V1RoleBinding).subjects ?? []) subject.namespace = rename(subject.namespace);
    }
    if (object.kind === 'Deployment') {
      const spec = (object as V1Deployment).spec!;
      spec.replicas = overlay.replicas;
      const pod = spec.template.spec!;
      pod.nodeSelector = { ...pod.nodeSelector, ...overlay.nodeSelector };
      pod.tolerations = [...(pod.tolerations ?? []), ...overlay.tolerations];
      const container = pod.containers.find((c) => c.name === 'worker')!;
      container.image = overlay.image;
      const env: V1EnvVar[] = (container.env ?? []).map((e) =>
        e.name in overlay.env ? { name: e.name, value: overlay.env[e.name] } : e,
      );
      for (const [name, value] of Object.entries(overlay.env))
        if (!env.some((e) => e.name === name)) env.push({ name, value });
      // The step pods' namespace follows the renamed build namespace.
      for (const e of env) if (e.name === 'WHARF_TEMPORAL_NAMESPACE' && e.value) e.value = rename(e.value);
      container.env = env;
    }
    return object;
  });
}
