import { CoreV1Api } from '@kubernetes/client-node';
import { isNotFound } from './api-error.js';
import { execInPod } from './pod-exec.js';
import { PodWatcher } from './pod-watcher.js';
export class PodFacade {
    namespace;
    watcher;
    kc;
    core;
    events;
    /** `labelSelector` scopes the shared watch to the pods this facade manages. */
    constructor(kc, namespace, labelSelector, events = {}) {
        this.kc = kc;
        this.events = events;
        this.namespace = namespace;
        this.core = kc.makeApiClient(CoreV1Api);
        this.watcher = new PodWatcher(kc, namespace, labelSelector);
    }
    async create(pod) {
        const created = await this.core.createNamespacedPod({ namespace: this.namespace, body: pod });
        this.events.created?.();
        this.watcher.observe(created);
        return created;
    }
    async get(name) {
        try {
            const pod = await this.core.readNamespacedPod({ namespace: this.namespace, name });
            this.watcher.observe(pod);
            return pod;
        }
        catch (err) {
            if (isNotFound(err))
                return null;
            throw err;
        }
    }
    async list(labelSelector) {
        const list = await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector });
        return list.items;
    }
    /**
     * Deletes the pod; `uid` guards against deleting a namesake created later.
     * Returns false when there was nothing to delete.
     */
    async delete(name, options = {}) {
        try {
            await this.core.deleteNamespacedPod({
                namespace: this.namespace,
                name,
                gracePeriodSeconds: options.gracePeriodSeconds,
                body: options.uid ? { preconditions: { uid: options.uid } } : undefined,
            });
            this.events.deleted?.();
            return true;
        }
        catch (err) {
            if (isNotFound(err))
                return false;
            throw err;
        }
    }
    /** Runs a command in a container and resolves to its exit code. */
    exec(pod, container, command, io = {}) {
        return execInPod(this.kc, { namespace: this.namespace, pod, container, command, ...io });
    }
    /** Resolves when `test` accepts the pod's state (null = gone), or rejects when `signal` aborts. */
    waitFor(name, test, signal) {
        return new Promise((resolve, reject) => {
            let unsubscribe = () => { };
            const finish = (fn) => {
                unsubscribe();
                signal?.removeEventListener('abort', onAbort);
                fn();
            };
            const onAbort = () => finish(() => reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted')));
            const check = (pod) => {
                let verdict;
                try {
                    verdict = test(pod);
                }
                catch (err) {
                    finish(() => reject(err));
                    return;
                }
                if (verdict !== undefined)
                    finish(() => resolve(verdict));
            };
            if (signal?.aborted)
                return onAbort();
            signal?.addEventListener('abort', onAbort, { once: true });
            unsubscribe = this.watcher.subscribe(name, check);
            // The watch reports changes; read once so a pod that no longer changes is seen too.
            this.get(name).then((pod) => check(pod), () => { });
        });
    }
    close() {
        this.watcher.stop();
    }
}
