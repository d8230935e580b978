// A `wharf-temporal worker` as a process of its own, as production runs it: started,
// SIGKILLed and started again by the bench scripts, with its CPU time and memory read
// from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RuntimeConfig } from '../../src/config/runtime-config.ts';

const BIN = fileURLToPath(new URL('../../bin/wharf-temporal.js', import.meta.url));
const DOCKERFILE = fileURLToPath(new URL('../../Dockerfile', import.meta.url));

let dockerfile: string | undefined;
const imageDockerfile = (): string => (dockerfile ??= readFileSync(DOCKERFILE, 'utf8'));

/** The Node options the worker image runs with (its Dockerfile's NODE_OPTIONS): the benches measure that worker. */
function imageNodeOptions(): string {
  const options = /^\s*ENV\s+NODE_OPTIONS="([^"]*)"/m.exec(imageDockerfile())?.[1];
  if (options === undefined) throw new Error(`${DOCKERFILE}: no ENV NODE_OPTIONS="..." line`);
  return options;
}

/** The image's malloc arenas (its MALLOC_ARENA_MAX; the bench's own environment wins). */
function imageMallocArenas(): Record<string, string> {
  const arenas = /^\s*(?:ENV\s+)?MALLOC_ARENA_MAX=(\d+)/m.exec(imageDockerfile())?.[1];
  return arenas ? { MALLOC_ARENA_MAX: arenas } : {};
}

/**
 * The worker processes' NODE_OPTIONS: the image's, or BENCH_WORKER_NODE_OPTIONS when set
 * (empty: Node's defaults, for a before and after); the bench's own NODE_OPTIONS come
 * after them and win. Read once per bench.
 */
let nodeOptions: string | undefined;
function workerNodeOptions(): string {
  return (nodeOptions ??= [process.env.BENCH_WORKER_NODE_OPTIONS ?? imageNodeOptions(), process.env.NODE_OPTIONS ?? '']
    .join(' ')
    .trim());
}
const TICKS_PER_SECOND = 100;

// A bench that throws leaves its workers polling its task queue, where they take the
// next run's tasks: whatever ends this process ends them too.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface WorkerOptions {
  config: RuntimeConfig;
  maxConcurrentSteps?: number;
  maxCachedWorkflows?: number;
  identity?: string;
  /** The build store's URL (postgres://...); default: the folder config.logRoot. */
  storeUrl?: string;
}

export class WorkerProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  /** Output of every run, for a failure's message. */
  output = '';
  starts = 0;
  /** True while the worker polls (started and not killed or stopped since). */
  up = false;

  private readonly options: WorkerOptions;

  constructor(options: WorkerOptions) {
    this.options = options;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the worker and resolves once it polls its task queue. */
  async start(): Promise<void> {
    const { config } = this.options;
    const child = spawn(
      process.execPath,
      [
        BIN,
        'worker',
        '--shutdown-grace',
        '1',
        '--max-concurrent-steps',
        String(this.options.maxConcurrentSteps ?? 200),
        ...(this.options.maxCachedWorkflows ? ['--max-cached-workflows', String(this.options.maxCachedWorkflows)] : []),
      ],
      {
        env: {
          ...imageMallocArenas(),
          ...process.env,
          NODE_OPTIONS: workerNodeOptions(),
          TEMPORAL_ADDRESS: config.temporalAddress,
          TEMPORAL_NAMESPACE: config.temporalNamespace,
          KUBECONFIG: config.kubeconfig ?? '',
          WHARF_TEMPORAL_NAMESPACE: config.kubeNamespace,
          WHARF_TEMPORAL_TASK_QUEUE: config.taskQueue,
          WHARF_TEMPORAL_LOG_DIR: config.logRoot,
          ...(this.options.storeUrl ? { WHARF_TEMPORAL_STORE_URL: this.options.storeUrl } : {}),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    running.add(child);
    this.starts++;
    this.exited = new Promise((resolve) =>
      child.on('exit', () => {
        running.delete(child);
        this.up = false;
        resolve();
      }),
    );
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const onData = (c: Buffer): void => {
        seen += c.toString();
        this.output += c.toString();
        if (!this.up && seen.includes('polling task queue')) {
          this.up = true;
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (c: Buffer) => (this.output += c.toString()));
      child.on('exit', (code, signal) =>
        reject(new Error(`the worker exited (${code ?? signal}) before polling:\n${this.output.slice(-2000)}`)),
      );
    });
  }

  /** SIGKILL: no shutdown, no goodbye; resolves once the process is gone. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
    this.child = null;
  }

  async stop(): Promise<void> {
    this.child?.kill('SIGTERM');
    await this.exited;
    this.child = null;
  }

  /** The kernel's high-water mark of the worker's resident memory, in bytes. */
  peakRss(): number {
    return this.status('VmHWM');
  }

  rss(): number {
    return this.status('VmRSS');
  }

  /** CPU seconds (user + system) the worker used so far. */
  cpuSeconds(): number {
    if (!this.child?.pid) return NaN;
    try {
      const fields = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    } catch {
      return NaN;
    }
  }

  private status(key: string): number {
    if (!this.child?.pid) return NaN;
    try {
      const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      return Number(m?.[1] ?? NaN) * 1024;
    } catch {
      return NaN;
    }
  }
}
