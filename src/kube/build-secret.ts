// The Kubernetes Secret that carries a build's password inputs to its steps, so their
// values never enter workflow history. Labelled like the build's pods, so the sweeper
// that deletes a finished build's pods deletes it too.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { LABELS, MANAGED_BY } from '../pod/labels.ts';
import { labelValue } from '../pod/pod-name.ts';
import { isNotFound } from './api-error.ts';

export class BuildSecrets {
  private readonly core: CoreV1Api;
  private readonly namespace: string;

  constructor(kc: KubeConfig, namespace: string) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.namespace = namespace;
  }

  /** Labelled with the deployment whose sweeper may delete it once the build is over. */
  async create(name: string, buildId: string, values: Record<string, string>, deployment: string): Promise<void> {
    await this.core.createNamespacedSecret({
      namespace: this.namespace,
      body: {
        metadata: {
          name,
          labels: {
            [LABELS.managedBy]: MANAGED_BY,
            [LABELS.buildId]: labelValue(buildId),
            [LABELS.deployment]: deployment,
          },
        },
        type: 'Opaque',
        stringData: values,
      },
    });
  }

  /** The secret's values, or null when it does not exist (any more). */
  async read(name: string): Promise<Record<string, string> | null> {
    try {
      const secret = await this.core.readNamespacedSecret({ namespace: this.namespace, name });
      return Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
      );
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.core.deleteNamespacedSecret({ namespace: this.namespace, name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Secrets made by wharf-temporal, with the build they belong to and when they were made. */
  async list(selector: string): Promise<{ name: string; buildId: string; createdAt: number }[]> {
    const list = await this.core.listNamespacedSecret({ namespace: this.namespace, labelSelector: selector });
    return list.items.flatMap((s) => {
      const buildId = s.metadata?.labels?.[LABELS.buildId];
      return s.metadata?.name && buildId
        ? [{ name: s.metadata.name, buildId, createdAt: new Date(s.metadata.creationTimestamp ?? 0).getTime() }]
        : [];
    });
  }
}
