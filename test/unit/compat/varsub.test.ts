// Cases from wharf-cmd's pkg/varsub and internal/util tests: references and escapes, kept
// types, null, sources, and how values are written into text.
import assert from 'node:assert/strict';
import { substituteEntries } from '../../../src/source/substitute-files.ts';
import { environVariables } from '../../../src/varsub/environ-variables.ts';
import { layeredLookup, stringify, substitute, type VarValue } from '../../../src/varsub/substitute.ts';
import { from, plan } from './compat-support.ts';

/** The names substitution asks for while substituting `text` (wharf-cmd's Matches, seen from outside). */
function namesAskedFor(text: string): string[] {
  const asked: string[] = [];
  substitute(text, (name) => void asked.push(name));
  return asked;
}

describe('wharf-cmd compatibility: pkg/varsub and internal/util', () => {
  describe('varsub_test.go TestMatches', () => {
    // Escapes (`${%...%}`, `${%}`) are matched but never looked up.
    const cases: { name: string; source: string; lookedUp: string[] }[] = [
      { name: 'text without variable', source: 'text without variable', lookedUp: [] },
      { name: 'simple variable', source: '${lorem}', lookedUp: ['lorem'] },
      { name: 'invalid simple variable', source: '${lorem ipsum}', lookedUp: ['lorem ipsum'] },
      { name: 'simple text with variable', source: 'Foo ${lorem} bar', lookedUp: ['lorem'] },
      { name: 'simple text with variable and white spaces', source: 'Foo ${\n \tlorem\r} bar', lookedUp: ['lorem'] },
      { name: 'simple text with escaped variable', source: 'Foo ${%lorem%} bar', lookedUp: [] },
      { name: 'simple text with escaped empty string', source: 'Foo ${%%} bar', lookedUp: [] },
      { name: 'simple text with escaped empty string by singular percent', source: 'Foo ${%} bar', lookedUp: [] },
      { name: 'simple text with escaped white signs', source: 'Foo ${%\n \r%} bar', lookedUp: [] },
      { name: 'simple text with escaped white signs 2', source: 'Foo ${\t%\n \r% } bar', lookedUp: [] },
      { name: 'simple text with invalid escaped text', source: 'Foo ${%lorem} bar', lookedUp: ['%lorem'] },
      { name: 'simple text with invalid variable', source: 'Foo ${} bar', lookedUp: [''] },
      { name: 'three variables', source: '${lorem} ${ipsum} ${dolor}', lookedUp: ['lorem', 'ipsum', 'dolor'] },
    ];
    for (const c of cases) {
      it(from(`varsub_test.go TestMatches/${c.name}`, JSON.stringify(c.source)), () => {
        // wharf-cmd finds no match in `${}`; looking up the empty name finds nothing either, so it stays as written.
        assert.deepEqual(namesAskedFor(c.source), c.lookedUp);
      });
    }
  });

  describe('varsub_test.go TestSubstitute', () => {
    const vars = layeredLookup([{ lorem: 'ipsum' }]);
    const cases: { name: string; source: string; want: string }[] = [
      { name: 'simple variable', source: '${lorem}', want: 'ipsum' },
      { name: 'invalid simple variable', source: '${lorem ipsum}', want: '${lorem ipsum}' },
      { name: 'simple text with variable', source: 'Foo ${lorem} bar', want: 'Foo ipsum bar' },
      { name: 'simple text with variable and white spaces', source: 'Foo ${\n \tlorem\r} bar', want: 'Foo ipsum bar' },
      { name: 'simple text with escaped variable', source: 'Foo ${%lorem%} bar', want: 'Foo ${lorem} bar' },
      { name: 'simple text with escaped empty string', source: 'Foo ${%%} bar', want: 'Foo ${} bar' },
      {
        name: 'simple text with escaped empty string by singular percent',
        source: 'Foo ${%} bar',
        want: 'Foo ${} bar',
      },
      { name: 'simple text with escaped empty white signs', source: 'Foo ${%\n \r%} bar', want: 'Foo ${\n \r} bar' },
      {
        name: 'simple text with escaped empty white signs 2',
        source: 'Foo ${ %\n \r%\n} bar',
        want: 'Foo ${\n \r} bar',
      },
      { name: 'simple text with invalid escaped text', source: 'Foo ${%lorem} bar', want: 'Foo ${%lorem} bar' },
      { name: 'simple text with invalid variable', source: 'Foo ${} bar', want: 'Foo ${} bar' },
    ];
    for (const c of cases) {
      it(
        from(`varsub_test.go TestSubstitute/${c.name}`, `${JSON.stringify(c.source)} -> ${JSON.stringify(c.want)}`),
        () => {
          assert.equal(substitute(c.source, vars), c.want);
        },
      );
    }
  });

  describe('varsub_test.go TestSubstitute_nonStrings', () => {
    const cases: { name: string; value: VarValue; source: string; want: VarValue }[] = [
      { name: 'full/bool', value: true, source: '${lorem}', want: true },
      { name: 'full/int', value: 123, source: '${lorem}', want: 123 },
      { name: 'full/float', value: 123.0, source: '${lorem}', want: 123.0 },
      { name: 'full/nil', value: null, source: '${lorem}', want: null },
      { name: 'embed/bool', value: true, source: 'foo ${lorem} bar', want: 'foo true bar' },
      { name: 'embed/int', value: 123, source: 'foo ${lorem} bar', want: 'foo 123 bar' },
      { name: 'embed/float', value: 123.0, source: 'foo ${lorem} bar', want: 'foo 123 bar' },
      { name: 'embed/nil', value: null, source: 'foo ${lorem} bar', want: 'foo  bar' },
    ];
    for (const c of cases) {
      it(
        from(
          `varsub_test.go TestSubstitute_nonStrings/${c.name}`,
          `keeps or writes the ${c.value === null ? 'null' : typeof c.value}`,
        ),
        () => {
          assert.equal(substitute(c.source, layeredLookup([{ lorem: c.value }])), c.want);
        },
      );
    }
    it(
      from('varsub_test.go TestSubstitute_nonStrings/embed/nil', 'through a definition: `lorem:` in an environment'),
      () => {
        const result = plan(
          'environments:\n  e:\n    lorem:\ns:\n  environments: [e]\n  c:\n    container: {image: alpine, cmds: ["foo ${lorem} bar"]}\n',
          { env: 'e' },
        );
        assert.ok('plan' in result, JSON.stringify(result));
        assert.deepEqual(result.plan.stages[0]!.steps[0]!.exec.command, ['/bin/sh', '-c', 'foo  bar']);
      },
    );
  });

  describe('varsub.go: recursion, loops and sources (derived from the code)', () => {
    it(from('varsub_test.go TestSubstitute_recursive/string', 'a value holding references is substituted too'), () => {
      assert.equal(substitute('00${one}00', layeredLookup([{ one: '11${two}11', two: 2222 }])), '001122221100');
    });
    it(from('varsub_test.go TestSubstitute_recursive/typed', 'through a lone reference the type is kept'), () => {
      assert.equal(substitute('${one}', layeredLookup([{ one: '${two}', two: 2222 }])), 2222);
    });
    it(from('varsub_test.go TestSubstitute_errIfRecursiveLoop', 'a loop is an error naming its chain'), () => {
      assert.throws(
        () => substitute('root: ${lorem}', layeredLookup([{ lorem: 'ipsum: ${lorem}' }])),
        /recursive variable loop: lorem -> lorem/,
      );
      assert.throws(
        () => substitute('${a}', layeredLookup([{ a: '${b}', b: '${a}' }])),
        /recursive variable loop: a -> b -> a/,
      );
    });
    it(
      from('varsub_test.go TestSubstitute_errIfRecursiveLoop', 'through a definition, positioned at the field'),
      () => {
        const result = plan('s:\n  c:\n    container: {image: alpine, cmds: ["root: ${lorem}"]}\n', {
          vars: { lorem: 'ipsum: ${lorem}' },
        });
        assert.ok('errors' in result);
        assert.deepEqual(
          result.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`),
          ['3:39 s/c/container/cmds[0]: recursive variable loop: lorem -> lorem'],
        );
      },
    );
    it(
      from(
        'definition.go visitDefNode (source order)',
        '--input, input defaults, the environment, then outside sources',
      ),
      () => {
        const text =
          'inputs:\n  - {name: v, type: string, default: from-default}\nenvironments:\n  e: {v: from-env, w: from-env}\ns:\n  environments: [e]\n  c:\n    container: {image: alpine, cmds: ["${v} ${w} ${x}"]}\n';
        const result = plan(text, {
          env: 'e',
          inputs: { v: 'from-input' },
          vars: { v: 'outside', w: 'outside', x: 'outside' },
        });
        assert.ok('plan' in result, JSON.stringify(result));
        assert.deepEqual(result.plan.stages[0]!.steps[0]!.exec.command[2], 'from-input from-env outside');
        const defaults = plan(text, { env: 'e', vars: { v: 'outside' } });
        assert.ok('plan' in defaults);
        assert.deepEqual(defaults.plan.stages[0]!.steps[0]!.exec.command[2], 'from-default from-env ${x}');
      },
    );
  });

  describe('osenvsource_test.go', () => {
    it(
      from('osenvsource_test.go TestOSEnvSource', 'WHARF_VAR_MY_ENV_VAR is MY_ENV_VAR; MY_ENV_VAR itself is not'),
      () => {
        const vars = environVariables({ MY_ENV_VAR: 'should not find this value', WHARF_VAR_MY_ENV_VAR: 'my value' });
        assert.equal(vars.MY_ENV_VAR, 'my value');
      },
    );
    it(from('osenvsource_test.go TestOSEnvSource_ListVars', 'every WHARF_VAR_ variable'), () => {
      assert.deepEqual(
        environVariables({ WHARF_VAR_MY_ENV_VAR: 'my value', WHARF_VAR_MY_OTHER_ENV_VAR: 'my other value' }),
        { MY_ENV_VAR: 'my value', MY_OTHER_ENV_VAR: 'my other value' },
      );
    });
  });

  describe('copier_test.go and reader_test.go', () => {
    const entry = {
      type: 'file' as const,
      path: 'f',
      content: Buffer.from('foo ${var1}\nbar ${var2}'),
      size: 23,
      mode: 0o644,
      mtime: new Date(0),
    };
    for (const test of ['copier_test.go TestCopier', 'reader_test.go TestReader']) {
      it(
        from(
          test,
          'references in a file are substituted; the file keeps its own last line (deliberate: no newline added)',
        ),
        async () => {
          const [out] = await substituteEntries([entry], { var1: 'value1', var2: 'value2' });
          assert.equal('content' in out! ? out.content.toString('utf8') : '', 'foo value1\nbar value2');
        },
      );
    }
  });

  describe('strutil_test.go TestStringify', () => {
    const cases: { name: string; value: VarValue; want: string }[] = [
      { name: 'nil', value: null, want: '' },
      { name: 'float32 in decimal', value: 0.0000013631, want: '0.0000013631' },
      { name: 'float64 in decimal', value: 0.0000013631, want: '0.0000013631' },
      { name: 'boolean', value: true, want: 'true' },
      // Deliberate: numbers are doubles, so math.MaxInt64 reads as 2^63, written as the shortest digits that read back as it.
      { name: 'int64', value: 9223372036854775807, want: '9223372036854776000' },
      { name: '(large float, as strutil writes it)', value: 1e21, want: '1000000000000000000000' },
      { name: '(small float, as strutil writes it)', value: 1e-7, want: '0.0000001' },
    ];
    for (const c of cases) {
      it(from(`strutil_test.go TestStringify/${c.name}`, `${String(c.value)} -> ${JSON.stringify(c.want)}`), () => {
        assert.equal(stringify(c.value), c.want);
        assert.equal(substitute('v=${x}', layeredLookup([{ x: c.value }])), `v=${c.want}`);
      });
    }
  });
});
