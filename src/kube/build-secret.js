// The Kubernetes Secret that carries a build's password inputs to its steps, so their
// values never enter workflow history. Labelled like the build's pods, so the sweeper
// that deletes a finished build's pods deletes it too.
import { CoreV1Api } from '@kubernetes/client-node';
import { isNotFound } from './api-error.js';
export const BUILD_ID_LABEL = 'wharf-temporal/build-id';
export class BuildSecrets {
    core;
    namespace;
    constructor(kc, namespace) {
        this.core = kc.makeApiClient(CoreV1Api);
        this.namespace = namespace;
    }
    async create(name, buildId, values) {
        await this.core.createNamespacedSecret({
            namespace: this.namespace,
            body: {
                metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'wharf-temporal', [BUILD_ID_LABEL]: labelSafe(buildId) } },
                type: 'Opaque',
                stringData: values,
            },
        });
    }
    /** The secret's values, or null when it does not exist (any more). */
    async read(name) {
        try {
            const secret = await this.core.readNamespacedSecret({ namespace: this.namespace, name });
            return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
        }
        catch (err) {
            if (isNotFound(err))
                return null;
            throw err;
        }
    }
    async delete(name) {
        try {
            await this.core.deleteNamespacedSecret({ namespace: this.namespace, name });
        }
        catch (err) {
            if (!isNotFound(err))
                throw err;
        }
    }
    /** Secrets made by wharf-temporal, with the build they belong to and when they were made. */
    async list(selector) {
        const list = await this.core.listNamespacedSecret({ namespace: this.namespace, labelSelector: selector });
        return list.items.flatMap((s) => (s.metadata?.name && s.metadata.labels?.[BUILD_ID_LABEL]
            ? [{ name: s.metadata.name, buildId: s.metadata.labels[BUILD_ID_LABEL], createdAt: new Date(s.metadata.creationTimestamp ?? 0).getTime() }]
            : []));
    }
}
function labelSafe(value) {
    return value.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
