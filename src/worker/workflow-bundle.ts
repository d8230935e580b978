// Bundles the workflow code once and reuses the bundle while the workflow sources are
// unchanged: bundling costs seconds, and `wharf-temporal run` starts a worker each time.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

export const WORKFLOWS_DIR = fileURLToPath(new URL('../../workflows/', import.meta.url));
/** .ts in a clone; .js where this runs compiled (an installed package). */
const EXT = import.meta.url.endsWith('.js') ? '.js' : '.ts';
export const WORKFLOWS_ENTRY = join(WORKFLOWS_DIR, `index${EXT}`);
/** Counts workflows for the worker's metrics (through sinks: nothing in history). */
export const WORKFLOW_INTERCEPTORS = join(WORKFLOWS_DIR, `metrics-interceptor${EXT}`);

export async function loadWorkflowBundle(): Promise<{ code: string }> {
  const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'wharf-temporal', 'workflow-bundles');
  const file = join(cacheDir, `${sourceHash()}.js`);
  if (existsSync(file)) return { code: readFileSync(file, 'utf8') };
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_ENTRY,
    workflowInterceptorModules: [WORKFLOW_INTERCEPTORS],
    logger: quietLogger,
  });
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
  return { code };
}

function sourceHash(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(createRequire(import.meta.url).resolve('@temporalio/workflow/package.json')));
  for (const name of readdirSync(WORKFLOWS_DIR).sort()) {
    if (name.endsWith(EXT)) hash.update(name).update(readFileSync(join(WORKFLOWS_DIR, name)));
  }
  return hash.digest('hex').slice(0, 24);
}

const noop = (): void => {};
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
