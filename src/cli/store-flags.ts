// The build store flag of the commands that read or write logs and build records.
import type { ParseArgsConfig } from 'node:util';
import type { BuildStore } from '../store/build-store.ts';
import { openBuildStore, resolveStoreSettings, type StoreSettings } from '../store/store-settings.ts';

export const STORE_OPTIONS = {
  store: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const STORE_HELP = `build store (logs and build records; worker and CLI must use the same one):
  --store URL                    postgres://user:password@host:port/db, or file:///path
                                 (WHARF_TEMPORAL_STORE_URL, default: the folder WHARF_TEMPORAL_LOG_DIR)`;

export function storeSettingsOf(values: Record<string, unknown>): StoreSettings {
  return resolveStoreSettings({ store: typeof values.store === 'string' ? values.store : undefined });
}

export async function openStoreOf(
  values: Record<string, unknown>,
): Promise<{ settings: StoreSettings; store: BuildStore }> {
  const settings = storeSettingsOf(values);
  return { settings, store: await openBuildStore(settings) };
}
