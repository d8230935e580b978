// The "easy pod facade" of the design notes: the few pod operations a build needs,
// with init and app containers treated alike and readiness polyfilled from status.
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { isNotFound } from './api-error.ts';
import { execInPod } from './pod-exec.ts';
import { PodWatcher, type PodWatcherTimings } from './pod-watcher.ts';

export interface ExecIo {
  stdin?: AsyncIterable<Uint8Array>;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  signal?: AbortSignal;
}

/** Told of each pod this facade created or deleted (for the worker's metrics). */
export interface PodEvents {
  created?(): void;
  deleted?(): void;
}

export interface PodFacadeOptions {
  watch?: Partial<PodWatcherTimings>;
  /** A waiter also reads its pod this often, whatever the watch says. */
  resyncMs?: number;
  events?: PodEvents;
}

const DEFAULT_RESYNC_MS = 30_000;

export class PodFacade {
  readonly namespace: string;
  readonly watcher: PodWatcher;
  private readonly kc: KubeConfig;
  private readonly core: CoreV1Api;
  private readonly events: PodEvents;

  private readonly resyncMs: number;

  /** `labelSelector` scopes the shared watch to the pods this facade manages. */
  constructor(kc: KubeConfig, namespace: string, labelSelector: string, options: PodFacadeOptions = {}) {
    this.kc = kc;
    this.events = options.events ?? {};
    this.namespace = namespace;
    this.core = kc.makeApiClient(CoreV1Api);
    this.watcher = new PodWatcher(kc, namespace, labelSelector, options.watch);
    this.resyncMs = options.resyncMs ?? DEFAULT_RESYNC_MS;
  }

  async create(pod: V1Pod): Promise<V1Pod> {
    const created = await this.core.createNamespacedPod({ namespace: this.namespace, body: pod });
    this.events.created?.();
    this.watcher.observe(created);
    return created;
  }

  async get(name: string): Promise<V1Pod | null> {
    try {
      const pod = await this.core.readNamespacedPod({ namespace: this.namespace, name });
      this.watcher.observe(pod);
      return pod;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async list(labelSelector: string): Promise<V1Pod[]> {
    const list = await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector });
    return list.items;
  }

  /**
   * Deletes the pod; `uid` guards against deleting a namesake created later.
   * Returns false when there was nothing to delete.
   */
  async delete(name: string, options: { uid?: string; gracePeriodSeconds?: number } = {}): Promise<boolean> {
    try {
      // All in the body: with a body, the API server ignores the query's options, so a
      // grace period there would be dropped beside the uid precondition.
      await this.core.deleteNamespacedPod({
        namespace: this.namespace,
        name,
        body: {
          ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
          ...(options.uid ? { preconditions: { uid: options.uid } } : {}),
        },
      });
      this.events.deleted?.();
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Runs a command in a container and resolves to its exit code. */
  exec(pod: string, container: string, command: string[], io: ExecIo = {}): Promise<number> {
    return execInPod(this.kc, { namespace: this.namespace, pod, container, command, ...io });
  }

  /** Resolves when `test` accepts the pod's state (null = gone), or rejects when `signal` aborts. */
  waitFor<T>(name: string, test: (pod: V1Pod | null) => T | undefined, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let unsubscribe = (): void => {};
      let resync: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (fn: () => void): void => {
        if (done) return;
        done = true;
        unsubscribe();
        clearInterval(resync);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = (): void =>
        finish(() => reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted')));
      const check = (pod: V1Pod | null): void => {
        if (done) return;
        let verdict: T | undefined;
        try {
          verdict = test(pod);
        } catch (err) {
          finish(() => reject(err));
          return;
        }
        if (verdict !== undefined) finish(() => resolve(verdict));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      unsubscribe = this.watcher.subscribe(name, check);
      // The watch reports changes; reads now and then see a pod that no longer changes,
      // and one whose news a stalled watch never brought.
      const read = (): void =>
        void this.get(name).then(
          (pod) => check(pod),
          () => {},
        );
      read();
      resync = setInterval(read, this.resyncMs);
    });
  }

  close(): void {
    this.watcher.stop();
  }
}
