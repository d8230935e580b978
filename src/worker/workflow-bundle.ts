// Bundles the workflow code once and reuses the bundle while the workflow sources are
// unchanged: bundling costs seconds, and `wharf-temporal run` starts a worker each time.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
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

/** The SDK's version and every module the bundle holds of ours: the workflows and what they import, transitively. */
function sourceHash(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(createRequire(import.meta.url).resolve('@temporalio/workflow/package.json')));
  const sources = readBundledSources();
  for (const file of [...sources.keys()].sort()) hash.update(relative(WORKFLOWS_DIR, file)).update(sources.get(file)!);
  return hash.digest('hex').slice(0, 24);
}

/** The workflow folder's modules and the project files they import for their values (relative specifiers), sorted. */
export function bundledSources(): string[] {
  return [...readBundledSources().keys()].sort();
}

/** Those modules' texts by path, each read once. */
function readBundledSources(): Map<string, string> {
  const texts = new Map<string, string>();
  const pending = readdirSync(WORKFLOWS_DIR)
    .filter((name) => name.endsWith(EXT))
    .map((name) => join(WORKFLOWS_DIR, name));
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (texts.has(file) || !existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    texts.set(file, text);
    for (const [, type, specifier] of text.matchAll(FROM_IMPORT)) {
      if (!type) pending.push(resolve(dirname(file), specifier!));
    }
    for (const [, specifier] of text.matchAll(BARE_IMPORT)) pending.push(resolve(dirname(file), specifier!));
  }
  return texts;
}

/** `import … from './x.ts'` and `export … from`, with `type` when only types come (never bundled). */
const FROM_IMPORT = /\b(?:import|export)\s+(type\s+)?[^'";]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g;
/** `import './y.ts'` and `import('./z.ts')`. */
const BARE_IMPORT = /\bimport\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

const noop = (): void => {};
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
