// The `ticks` fixture: a step of six one-second ticks that counts its runs in a file on
// the lab host and, given a gate, waits after its second tick until the gate file exists.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TICKS = fileURLToPath(new URL('../e2e/fixtures/ticks.wharf-ci.yml', import.meta.url));

/** A fresh counter and gate in a folder of their own, and the `--input` arguments naming them. */
export function gatedTicks(): { counter: string; gate: string; inputs: string[] } {
  const scratch = mkdtempSync(join(tmpdir(), 'ticks-'));
  const counter = join(scratch, 'runs');
  const gate = join(scratch, 'gate');
  return { counter, gate, inputs: ['--input', `counter=${counter}`, '--input', `gate=${gate}`] };
}
