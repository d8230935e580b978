// Input declarations and --input values, after wharf-cmd's inputs tests.
import assert from 'node:assert/strict';
import { formatError } from '../../../src/yaml/definition-error.ts';
import { readInputArguments } from '../../../src/definition/input-arguments.ts';
import { parseDefinition } from '../../../src/definition/parse-definition.ts';

const STAGE = ['b:', '  s:', '    container: {image: x, cmds: [y]}'];
const parse = (...lines: string[]) => parseDefinition('.wharf-ci.yml', [...lines, ...STAGE].join('\n'));

describe('inputs', () => {
  it('reads every input type, with defaults as wharf-cmd gives them ("" and 0 when absent)', () => {
    const { definition, errors } = parse(
      'inputs:',
      '  - {name: s, type: string, default: hi}',
      '  - {name: p, type: password}',
      '  - {name: n, type: number, default: 1.5}',
      '  - {name: c, type: choice, values: [a, b], default: b}',
      '  - {name: z, type: number}',
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(
      definition.inputs.map((i) => [i.name, i.type, i.default, i.values, i.at.line]),
      [
        ['s', 'string', 'hi', [], 2],
        ['p', 'password', '', [], 3],
        ['n', 'number', 1.5, [], 4],
        ['c', 'choice', 'b', ['a', 'b'], 5],
        ['z', 'number', 0, [], 6],
      ],
    );
  });

  it('reports every mistake in the declarations', () => {
    assert.deepEqual(
      parse(
        'inputs:',
        '  - {name: a, type: string, default: 1}',
        '  - {name: b, type: colour}',
        '  - {name: c, type: choice, values: [x, y], default: z}',
        '  - {name: a, type: string}',
        '  - {type: number}',
        '  - {name: d, type: choice, values: [1, x]}',
        '  - {name: e, type: number, default: "1"}',
        '  - just a name',
      ).errors.map(formatError),
      [
        '.wharf-ci.yml:2:38 inputs/0/default: expected a string, got an integer',
        ".wharf-ci.yml:3:21 inputs/1/type: unknown input type 'colour' (expected one of string, choice, number, password)",
        '.wharf-ci.yml:4:54 inputs/2/default: default value "z" is missing from values (x, y)',
        '.wharf-ci.yml:5:5 inputs/3/name: input variable name is already used: "a"',
        '.wharf-ci.yml:6:5 inputs/4/name: missing required field',
        '.wharf-ci.yml:7:5 inputs/5/default: missing required field',
        '.wharf-ci.yml:7:38 inputs/5/values[0]: expected a string, got an integer',
        '.wharf-ci.yml:8:38 inputs/6/default: expected a number, got a string',
        '.wharf-ci.yml:9:5 inputs/7: expected an input (a map with name and type), got a string',
      ],
    );
    assert.deepEqual(parse('inputs: {a: 1}').errors.map(formatError), [
      '.wharf-ci.yml:1:9 inputs: expected a list of inputs, got a map',
    ]);
  });

  it('ignores unknown fields in an input, with a warning', () => {
    const { errors, warnings } = parse('inputs:', '  - {name: a, type: string, defualt: x}');
    assert.deepEqual(errors, []);
    assert.deepEqual(warnings.map(formatError), [
      ".wharf-ci.yml:2:29 inputs/0/defualt: unknown field 'defualt' is ignored",
    ]);
  });

  it('checks --input values against the declarations, pointing at them', () => {
    const { definition } = parse(
      'inputs:',
      '  - {name: n, type: number}',
      '  - {name: c, type: choice, values: [a, b], default: a}',
      '  - {name: s, type: string}',
    );
    const ok = readInputArguments('f', definition, { n: '2.5', c: 'b', s: '007' });
    assert.deepEqual(ok, { values: { n: 2.5, c: 'b', s: '007' }, errors: [] });
    const bad = readInputArguments('f', definition, { n: 'x', c: 'z', nope: '1' });
    assert.deepEqual(bad.errors.map(formatError), [
      'f:2:5 inputs/n: --input n=x: expected a number',
      'f:3:5 inputs/c: --input c=z: not one of the values (a, b)',
      'f:1:1 inputs: use of undefined input variable "nope" (given with --input; the file declares n, c, s)',
    ]);
  });
});
