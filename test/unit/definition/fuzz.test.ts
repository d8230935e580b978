// Property: random mutations of a valid file give either a definition or positioned
// errors, never a crash or a hang.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDefinition } from '../../../src/definition/parse-definition.ts';

const SEED_FILE = fileURLToPath(new URL('../../../examples/.wharf-ci.yml', import.meta.url));
const TOKENS = [':', '-', ' ', '\n', '  ', '{', '}', '[', ']', '&a', '*a', '<<: *a', '"', "'", '#', '${x}', '${%', 'runs-if: ', 'container:', '\t', '?', '|', '>', '!!str', '0x1F', '1.0', 'null', '~'];

/** A small deterministic PRNG, so a failure can be reproduced from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function mutate(text: string, random: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * out.length);
    const op = random();
    if (op < 0.4) out = out.slice(0, at) + TOKENS[Math.floor(random() * TOKENS.length)] + out.slice(at);
    else if (op < 0.7) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 20));
    else {
      const from = Math.floor(random() * out.length);
      out = out.slice(0, at) + out.slice(from, from + 30) + out.slice(at);
    }
  }
  return out;
}

describe('definition parser under random mutations', function () {
  this.timeout(60_000);
  it('always returns a definition or positioned errors (2000 mutants)', () => {
    const seed = readFileSync(SEED_FILE, 'utf8');
    const lines = (t: string) => t.split('\n').length;
    for (let n = 0; n < 2000; n++) {
      const text = mutate(seed, rng(n + 1));
      const started = Date.now();
      let result;
      try {
        result = parseDefinition('mutant.yml', text);
      } catch (err) {
        assert.fail(`mutant ${n} crashed the parser: ${String(err)}\n${text}`);
      }
      assert.ok(Date.now() - started < 2000, `mutant ${n} took ${Date.now() - started} ms`);
      for (const e of result.errors) {
        assert.ok(e.line >= 1 && e.line <= lines(text) + 1 && e.column >= 1, `mutant ${n}: bad position ${e.line}:${e.column}`);
        assert.ok(e.message.length > 0);
      }
      if (result.errors.length === 0) assert.ok(result.definition.stages.length > 0, `mutant ${n}: no errors and no stages`);
    }
  });
});
