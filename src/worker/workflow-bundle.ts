// Bundles the workflow code once and reuses the bundle while the workflow sources are
// unchanged: bundling costs seconds, and `wharf-temporal run` starts a worker each time.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PROJECT_ROOT } from '../config/project-root.ts';

// The TypeScript sources, also when this runs compiled: the bundler reads them.
export const WORKFLOWS_DIR = join(PROJECT_ROOT, 'workflows');
export const WORKFLOWS_ENTRY = join(WORKFLOWS_DIR, 'index.ts');

export async function loadWorkflowBundle(): Promise<{ code: string }> {
  const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'wharf-temporal', 'workflow-bundles');
  const file = join(cacheDir, `${sourceHash()}.js`);
  if (existsSync(file)) return { code: readFileSync(file, 'utf8') };
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, logger: quietLogger });
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
  return { code };
}

function sourceHash(): string {
  const hash = createHash('sha256');
  const sdk = join(PROJECT_ROOT, 'node_modules', '@temporalio', 'workflow', 'package.json');
  if (existsSync(sdk)) hash.update(readFileSync(sdk));
  for (const name of readdirSync(WORKFLOWS_DIR).sort()) {
    if (name.endsWith('.ts')) hash.update(name).update(readFileSync(join(WORKFLOWS_DIR, name)));
  }
  return hash.digest('hex').slice(0, 24);
}

const noop = (): void => {};
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
