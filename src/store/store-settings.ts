// The build store's settings and opening it. Worker and CLI read the same ones:
//
//   --store URL / WHARF_TEMPORAL_STORE_URL   postgres://user:password@host:port/db for the
//                                            shared store; file:///path or a path for a
//                                            folder; default: the folder below
//   WHARF_TEMPORAL_LOG_DIR                   the folder (default ~/.local/state/wharf-temporal/logs)
//   WHARF_TEMPORAL_STEP_LOG_LIMIT            bytes of output stored per step (default 64 MiB)
//   WHARF_TEMPORAL_STORE_BUFFER              bytes per step held in memory while the store is away (default 16 MiB)
//   WHARF_TEMPORAL_STORE_RETENTION_DAYS      days a finished build is kept (default 30; 0 = forever)
import type { BuildStore } from './build-store.ts';
import { defaultLogRoot, FileStore } from './file-store.ts';
import { maskUrl, PostgresStore } from './postgres-store.ts';
import { DEFAULT_BUFFER_BYTES, DEFAULT_STEP_LOG_MAX_BYTES } from './step-log.ts';

export interface StoreSettings {
  /** A PostgreSQL URL; null: the folder. */
  url: string | null;
  folder: string;
  stepLogLimitBytes: number;
  bufferBytes: number;
  /** 0 keeps builds forever. */
  retentionDays: number;
}

/** One row per setting, for the documented table of settings. */
export const STORE_SETTINGS = [
  {
    flag: '--store',
    env: 'WHARF_TEMPORAL_STORE_URL',
    default: 'the folder WHARF_TEMPORAL_LOG_DIR',
    meaning: 'the build store: postgres://user:password@host:port/database (shared), or file:///path',
  },
  {
    flag: null,
    env: 'WHARF_TEMPORAL_LOG_DIR',
    default: '~/.local/state/wharf-temporal/logs',
    meaning: 'the folder store',
  },
  {
    flag: null,
    env: 'WHARF_TEMPORAL_STEP_LOG_LIMIT',
    default: String(DEFAULT_STEP_LOG_MAX_BYTES),
    meaning: 'bytes of output stored per step; the log says when it is cut',
  },
  {
    flag: null,
    env: 'WHARF_TEMPORAL_STORE_BUFFER',
    default: String(DEFAULT_BUFFER_BYTES),
    meaning: 'bytes per step held in memory while the store is away',
  },
  {
    flag: null,
    env: 'WHARF_TEMPORAL_STORE_RETENTION_DAYS',
    default: '30',
    meaning: 'days finished builds are kept (0: forever)',
  },
] as const;

export class StoreSettingError extends Error {
  override name = 'StoreSettingError';
}

export function resolveStoreSettings(
  flags: { store?: string | undefined } = {},
  env: NodeJS.ProcessEnv = process.env,
): StoreSettings {
  const raw = flags.store || env.WHARF_TEMPORAL_STORE_URL || '';
  const setting = flags.store ? '--store' : 'WHARF_TEMPORAL_STORE_URL';
  let url: string | null = null;
  let folder = defaultLogRoot(env);
  if (/^postgres(ql)?:\/\//i.test(raw)) {
    try {
      new URL(raw);
    } catch {
      throw new StoreSettingError(`${setting}: not a valid URL: ${maskUrl(raw)}`);
    }
    url = raw;
  } else if (raw.startsWith('file://')) {
    folder = decodeURIComponent(new URL(raw).pathname);
  } else if (raw.startsWith('/')) {
    folder = raw;
  } else if (raw) {
    throw new StoreSettingError(
      `${setting}: expected postgres://user:password@host:port/database, file:///path or an absolute path, got ${maskUrl(raw)}`,
    );
  }
  return {
    url,
    folder,
    stepLogLimitBytes: wholeNumber(env, 'WHARF_TEMPORAL_STEP_LOG_LIMIT', DEFAULT_STEP_LOG_MAX_BYTES, 1),
    bufferBytes: wholeNumber(env, 'WHARF_TEMPORAL_STORE_BUFFER', DEFAULT_BUFFER_BYTES, 1),
    retentionDays: wholeNumber(env, 'WHARF_TEMPORAL_STORE_RETENTION_DAYS', 30, 0),
  };
}

/** The store's place as it may be shown (no password). */
export function storeLocation(settings: StoreSettings): string {
  return settings.url ? maskUrl(settings.url) : settings.folder;
}

/** Opens the store; an unreachable one is an error naming it (password masked) and why. */
export async function openBuildStore(settings: StoreSettings): Promise<BuildStore> {
  if (!settings.url) return new FileStore(settings.folder);
  try {
    return await PostgresStore.open(settings.url);
  } catch (err) {
    throw new StoreSettingError(
      `cannot reach the build store at ${maskUrl(settings.url)} (${describeStoreError(err)})`,
    );
  }
}

export function describeStoreError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describeStoreError(err.errors[0]);
  if (err instanceof Error) return (err.message || (err as NodeJS.ErrnoException).code || err.name).split('\n')[0]!;
  return String(err);
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    throw new StoreSettingError(
      `${name}: expected a whole number${min > 0 ? ` of at least ${min}` : ''}, got '${raw}'`,
    );
  }
  return Number(raw);
}
