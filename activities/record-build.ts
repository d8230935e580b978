// Keeps a finished build's record in the build store, where `list`, `status` and `logs`
// find it after Temporal has forgotten the build. Idempotent: recording again replaces it.
import type { BuildRecord } from '../src/store/build-store.ts';
import type { ActivityDeps } from './deps.ts';

export function recordBuildActivity(deps: ActivityDeps) {
  return async function recordBuild(record: BuildRecord): Promise<void> {
    await deps.store.recordBuild(record);
  };
}
