import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every relative import of the .ts files under `dir`, as paths from the repository root. */
function importsUnder(dir: string): { file: string; target: string }[] {
  const found: { file: string; target: string }[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    for (const match of readFileSync(path, 'utf8').matchAll(/^(?:import|export)[^'"]*from\s+'(\.[^']+)'/gm)) {
      found.push({ file: relative(ROOT, path), target: relative(ROOT, resolve(dirname(path), match[1]!)) });
    }
  }
  return found;
}

function assertNoImports(from: string, forbidden: string): void {
  const wrong = importsUnder(from).filter((i) => i.target.startsWith(`${forbidden}/`));
  assert.deepEqual(wrong, [], `${from} must not import ${forbidden}`);
}

describe('import direction', () => {
  it('keeps the worker free of the client and the client free of the terminal printer', () => {
    assertNoImports('src/worker', 'src/client');
    assertNoImports('src/worker', 'src/cli');
    assertNoImports('src/client', 'src/cli');
  });

  it('keeps configuration free of the lab script and the stores', () => {
    assertNoImports('src/config', 'src/cli');
    assertNoImports('src/config', 'src/logs');
    assertNoImports('src/config', 'src/kube');
  });
});
