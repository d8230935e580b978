// One shared watch over the build pods of a namespace, fanned out to every waiter in
// the worker process. A watch per waiting activity would cost an API server
// connection per pod; this costs one per worker, however many steps run.
import { CoreV1Api, Watch } from '@kubernetes/client-node';
const RECONNECT_DELAY_MS = 1000;
export class PodWatcher {
    listeners = new Map();
    pods = new Map();
    resourceVersion = null;
    abort = null;
    running = false;
    core;
    kc;
    namespace;
    labelSelector;
    constructor(kc, namespace, labelSelector) {
        this.kc = kc;
        this.namespace = namespace;
        this.labelSelector = labelSelector;
        this.core = kc.makeApiClient(CoreV1Api);
    }
    /**
     * Calls `listener` with the pod's latest state on every change (null once deleted),
     * starting with the state known now, if any. Returns the function that stops it.
     */
    subscribe(name, listener) {
        let set = this.listeners.get(name);
        if (!set)
            this.listeners.set(name, (set = new Set()));
        set.add(listener);
        this.start();
        const known = this.pods.get(name);
        if (known)
            queueMicrotask(() => set.has(listener) && listener(known));
        return () => {
            set.delete(listener);
            if (set.size === 0)
                this.listeners.delete(name);
        };
    }
    /** Feeds a pod read directly (e.g. just created or fetched), so waiters need not wait for the watch. */
    observe(pod) {
        const name = pod.metadata?.name;
        if (!name)
            return;
        const known = this.pods.get(name);
        if (known && Number(known.metadata?.resourceVersion) >= Number(pod.metadata?.resourceVersion))
            return;
        this.pods.set(name, pod);
        this.emit(name, pod);
    }
    stop() {
        this.running = false;
        this.abort?.abort();
    }
    start() {
        if (this.running)
            return;
        this.running = true;
        void this.run();
    }
    async run() {
        while (this.running) {
            try {
                if (this.resourceVersion === null)
                    await this.relist();
                await this.watchOnce();
            }
            catch {
                // Errors end this round; the next one re-lists or resumes from the last version.
            }
            if (this.running)
                await sleep(RECONNECT_DELAY_MS);
        }
    }
    async relist() {
        const list = await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: this.labelSelector });
        const seen = new Set();
        for (const pod of list.items) {
            const name = pod.metadata?.name;
            if (!name)
                continue;
            seen.add(name);
            this.observe(pod);
        }
        for (const name of [...this.pods.keys()]) {
            if (!seen.has(name)) {
                this.pods.delete(name);
                this.emit(name, null);
            }
        }
        this.resourceVersion = list.metadata?.resourceVersion ?? null;
    }
    watchOnce() {
        return new Promise((resolve) => {
            const watch = new Watch(this.kc);
            watch
                .watch(`/api/v1/namespaces/${this.namespace}/pods`, { labelSelector: this.labelSelector, resourceVersion: this.resourceVersion ?? undefined, allowWatchBookmarks: true }, (type, obj) => this.onEvent(type, obj), (err) => {
                if (isGone(err))
                    this.resourceVersion = null;
                resolve();
            })
                .then((abort) => {
                this.abort = abort;
                if (!this.running)
                    abort.abort();
            })
                .catch((err) => {
                if (isGone(err))
                    this.resourceVersion = null;
                resolve();
            });
        });
    }
    onEvent(type, obj) {
        if (type === 'ERROR') {
            // 410 Gone: our resourceVersion is too old; re-list and start over.
            if (obj.code === 410)
                this.resourceVersion = null;
            this.abort?.abort();
            return;
        }
        const rv = obj.metadata?.resourceVersion;
        if (rv)
            this.resourceVersion = rv;
        if (type === 'BOOKMARK')
            return;
        const name = obj.metadata?.name;
        if (!name)
            return;
        if (type === 'DELETED') {
            this.pods.delete(name);
            this.emit(name, null);
        }
        else {
            this.pods.set(name, obj);
            this.emit(name, obj);
        }
    }
    emit(name, pod) {
        for (const listener of this.listeners.get(name) ?? [])
            listener(pod);
    }
}
function isGone(err) {
    if (typeof err !== 'object' || err === null)
        return false;
    const e = err;
    return e.statusCode === 410 || e.code === 410 || (typeof e.message === 'string' && /\b410\b|too old resource version/i.test(e.message));
}
function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
