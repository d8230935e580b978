// One shared watch over the build pods of a namespace, fanned out to every waiter in
// the worker process. A watch per waiting activity would cost an API server
// connection per pod; this costs one per worker, however many steps run.
import { CoreV1Api, Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';

export type PodListener = (pod: V1Pod | null) => void;

export interface PodWatcherTimings {
  /** The API server ends each watch after this long (timeoutSeconds); the next one resumes. */
  watchTimeoutSeconds: number;
  /**
   * A watch that brings nothing (no event, no bookmark) this long is in doubt: it is
   * restarted and the pods are re-listed, so a silently stalled connection costs no event.
   */
  stallMs: number;
  /** A list that does not answer this fast is abandoned and tried again. */
  listTimeoutMs: number;
  reconnectDelayMs: number;
}

export const DEFAULT_WATCH_TIMINGS: PodWatcherTimings = {
  watchTimeoutSeconds: 290,
  stallMs: 90_000,
  listTimeoutMs: 30_000,
  reconnectDelayMs: 1000,
};

export class PodWatcher {
  private readonly listeners = new Map<string, Set<PodListener>>();
  private readonly pods = new Map<string, V1Pod>();
  private resourceVersion: string | null = null;
  private abort: AbortController | null = null;
  private running = false;
  private readonly core: CoreV1Api;
  private readonly kc: KubeConfig;
  readonly namespace: string;
  readonly labelSelector: string;
  private readonly timings: PodWatcherTimings;
  /** Watch requests made so far (for diagnostics and tests). */
  watches = 0;

  constructor(kc: KubeConfig, namespace: string, labelSelector: string, timings: Partial<PodWatcherTimings> = {}) {
    this.kc = kc;
    this.timings = { ...DEFAULT_WATCH_TIMINGS, ...timings };
    this.namespace = namespace;
    this.labelSelector = labelSelector;
    this.core = kc.makeApiClient(CoreV1Api);
  }

  /**
   * Calls `listener` with the pod's latest state on every change (null once deleted),
   * starting with the state known now, if any. Returns the function that stops it.
   */
  subscribe(name: string, listener: PodListener): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    this.start();
    const known = this.pods.get(name);
    if (known) queueMicrotask(() => set.has(listener) && listener(known));
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(name);
    };
  }

  /** Feeds a pod read directly (e.g. just created or fetched), so waiters need not wait for the watch. */
  observe(pod: V1Pod): void {
    const name = pod.metadata?.name;
    if (!name) return;
    // resourceVersion is opaque: equal means the same state, and nothing tells which of
    // two others is newer. A read is taken as it is; the watch's next event supersedes it.
    const known = this.pods.get(name);
    if (known && known.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    this.pods.set(name, pod);
    this.emit(name, pod);
  }

  stop(): void {
    this.running = false;
    this.abort?.abort();
  }

  private start(): void {
    if (this.running) return;
    this.running = true;
    void this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (this.resourceVersion === null) await this.relist();
        await this.watchOnce();
      } catch {
        // Errors end this round; the next one re-lists or resumes from the last version.
      }
      if (this.running) await sleep(this.timings.reconnectDelayMs);
    }
  }

  private async relist(): Promise<void> {
    const list = await withTimeout(
      this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: this.labelSelector }),
      this.timings.listTimeoutMs,
      `listing pods in ${this.namespace}`,
    );
    const seen = new Set<string>();
    for (const pod of list.items) {
      const name = pod.metadata?.name;
      if (!name) continue;
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

  private watchOnce(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.watches++;
      let over = false;
      let abort: AbortController | null = null;
      let stall: NodeJS.Timeout | undefined;
      const end = (relist: boolean): void => {
        if (over) return;
        over = true;
        clearTimeout(stall);
        if (relist) this.resourceVersion = null;
        abort?.abort();
        resolve();
      };
      // Anything the watch brings proves it alive; nothing for too long puts it in doubt.
      const alive = (): void => {
        clearTimeout(stall);
        stall = setTimeout(() => end(true), this.timings.stallMs);
      };
      alive();
      const watch = new Watch(this.kc);
      watch
        .watch(
          `/api/v1/namespaces/${this.namespace}/pods`,
          {
            labelSelector: this.labelSelector,
            resourceVersion: this.resourceVersion ?? undefined,
            allowWatchBookmarks: true,
            timeoutSeconds: this.timings.watchTimeoutSeconds,
          },
          (type: string, obj: V1Pod & { code?: number }) => {
            if (over) return;
            alive();
            try {
              this.onEvent(type, obj);
            } catch {
              // A listener's trouble is its own; the watch goes on.
            }
          },
          (err: unknown) => end(isGone(err)),
        )
        .then((controller) => {
          abort = controller;
          this.abort = controller;
          if (over || !this.running) controller.abort();
        })
        .catch((err: unknown) => end(isGone(err)));
    });
  }

  private onEvent(type: string, obj: V1Pod & { code?: number }): void {
    if (type === 'ERROR') {
      // 410 Gone: our resourceVersion is too old; re-list and start over.
      if (obj.code === 410) this.resourceVersion = null;
      this.abort?.abort();
      return;
    }
    if (!obj?.metadata) {
      this.resourceVersion = null; // not a pod: the stream is in doubt
      this.abort?.abort();
      return;
    }
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (type === 'BOOKMARK') return;
    const name = obj.metadata?.name;
    if (!name) return;
    if (type === 'DELETED') {
      this.pods.delete(name);
      this.emit(name, null);
    } else {
      this.pods.set(name, obj);
      this.emit(name, obj);
    }
  }

  private emit(name: string, pod: V1Pod | null): void {
    for (const listener of [...(this.listeners.get(name) ?? [])]) {
      try {
        listener(pod);
      } catch {
        // One waiter's failure must not keep the others from the news.
      }
    }
  }
}

function isGone(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown };
  return (
    e.statusCode === 410 ||
    e.code === 410 ||
    (typeof e.message === 'string' && /\b410\b|too old resource version/i.test(e.message))
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number, doing: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${doing}: no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
