// Reads the local lab's endpoints (`tools/lab/lab.sh status`), the default target when
// nothing else is configured.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './project-root.ts';

export const LAB_SCRIPT = join(PROJECT_ROOT, 'tools', 'lab', 'lab.sh');

/** The lab's `KEY=value` status lines, or null when there is no lab or it is down. */
export function readLabStatus(): Record<string, string> | null {
  if (!existsSync(LAB_SCRIPT)) return null;
  try {
    const out = execFileSync('bash', [LAB_SCRIPT, 'status'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 30_000,
    });
    return parseKeyValues(out);
  } catch {
    return null;
  }
}

export function parseKeyValues(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) values[match[1]!] = match[2]!;
  }
  return values;
}
