// Hostile YAML is refused with a positioned error instead of hanging or overflowing the
// stack: aliases that expand past the bound (YAML_MAX_EXPANDED_NODES), and nesting
// deeper than YAML_MAX_DEPTH or than the parser can hold.
import assert from 'node:assert/strict';
import { formatError } from '../../../src/yaml/definition-error.ts';
import { parseDefinition } from '../../../src/definition/parse-definition.ts';
import { YAML_MAX_DEPTH, YAML_MAX_EXPANDED_NODES } from '../../../src/limits/definition-limits.ts';
import { parseVarsFile } from '../../../src/varsub/vars-files.ts';

const errorsOf = (text: string): string[] => parseDefinition('f.yml', text).errors.map(formatError);

/** `levels` anchors, each a list of `width` aliases to the one before: width^levels values. */
function laughs(levels: number, width: number): string {
  const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
  for (let i = 1; i < levels; i++)
    lines.push(
      `l${i}: &l${i} [${Array(width)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\nbuild:\n  s:\n    container: {image: alpine, cmds: *l${levels - 1}}\n`;
}

describe('hostile YAML', () => {
  it('refuses a 6 KB file of nested aliases, at the alias that passes the bound', () => {
    const text = laughs(26, 40);
    assert.ok(text.length > 6000, `${text.length} bytes`);
    const errors = errorsOf(text);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(
      errors[0]!,
      new RegExp(
        `^f\\.yml:\\d+:\\d+ with its aliases expanded the document stands for more than ${YAML_MAX_EXPANDED_NODES} values; refused$`,
      ),
    );
    assert.ok(!errors[0]!.startsWith('f.yml:1:1 '), 'positioned at the alias');
  });

  it('refuses merge keys that multiply, as aliases do', () => {
    const lines = ['m0: &m0 {a: 1, b: 2, c: 3}'];
    for (let i = 1; i < 12; i++)
      lines.push(`m${i}: &m${i} {${Array.from({ length: 8 }, (_, j) => `k${j}: *m${i - 1}`).join(', ')}}`);
    assert.match(
      errorsOf(`${lines.join('\n')}\nbuild:\n  s:\n    container: {image: alpine, cmds: [x]}\n`)[0]!,
      /stands for more than/,
    );
  });

  it('reads a file that uses many aliases within the bound', () => {
    const text = `base: &base [a, b]\n${Array.from({ length: 2000 }, (_, i) => `st${i}:\n  s:\n    container: {image: alpine, cmds: *base}`).join('\n')}\n`;
    const result = parseDefinition('f.yml', text);
    assert.deepEqual(
      result.errors.map(formatError).filter((e) => !e.includes('base')),
      [],
    );
    assert.equal(result.definition.stages.length, 2000);
  });

  it('says how deep nesting may go, with the position, instead of overflowing the stack', () => {
    const deep = (n: number): string => `build:\n  s: ${'['.repeat(n)}${']'.repeat(n)}\n`;
    assert.deepEqual(errorsOf(deep(YAML_MAX_DEPTH + 10)), [
      `f.yml:2:${6 + YAML_MAX_DEPTH - 1} nesting deeper than ${YAML_MAX_DEPTH} levels of maps and lists`,
    ]);
    for (const message of errorsOf(deep(20000)))
      assert.match(message, /^f\.yml:\d+:\d+ nesting too deep to read \(at most 64 levels of maps and lists\)$/);
    assert.match(errorsOf(`build:\n  s: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`)[0]!, /nesting too deep to read/);
  });

  it('bounds .wharf-vars.yml files the same way', () => {
    const { errors } = parseVarsFile('v.yml', `${laughs(24, 40)}vars: {}\n`);
    assert.match(formatError(errors[0]!), /^v\.yml:\d+:\d+ with its aliases expanded/);
  });
});
