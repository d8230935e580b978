// Runs a bench script as a user would (`node bench/NAME ...`) and returns what it printed;
// a script that exits non-zero fails the test with its output.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function runBench(script: string, args: string[]): Promise<string> {
  const path = fileURLToPath(new URL(`../../bench/${script}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`bench/${script} exited with ${code}:\n${out}`)),
    );
  });
}
