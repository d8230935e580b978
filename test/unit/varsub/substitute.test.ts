import assert from 'node:assert/strict';
import { layeredLookup, substitute, VariableCycleError } from '../../../src/varsub/substitute.ts';

describe('variable substitution', () => {
  const vars = layeredLookup([
    { name: 'world', count: 3, on: true, nested: 'hello ${name}', a: '${b}', b: '${a}', self: 'x${self}' },
    { name: 'ignored, a later layer' },
  ]);

  it('substitutes references, trimming spaces inside the braces', () => {
    assert.equal(substitute('hello ${name}!', vars), 'hello world!');
    assert.equal(substitute('hello ${ name }', vars), 'hello world');
  });

  it('keeps the type of a value that is exactly one reference', () => {
    assert.equal(substitute('${count}', vars), 3);
    assert.equal(substitute('${on}', vars), true);
    assert.equal(substitute('n=${count}', vars), 'n=3');
  });

  it('leaves undefined variables as written', () => {
    assert.equal(substitute('${missing} and ${name}', vars), '${missing} and world');
    assert.equal(substitute('${missing}', vars), '${missing}');
  });

  it('writes literal references with ${%name%} and ${%}', () => {
    assert.equal(substitute('${%name%}', vars), '${name}');
    assert.equal(substitute('a ${%} b', vars), 'a ${} b');
  });

  it('substitutes nested references and reports cycles', () => {
    assert.equal(substitute('${nested}', vars), 'hello world');
    assert.throws(() => substitute('${a}', vars), (e: unknown) => e instanceof VariableCycleError && /a -> b -> a/.test(e.message));
    assert.throws(() => substitute('${self}', vars), /self -> self/);
  });

  it('takes the first layer that has the name', () => {
    assert.equal(substitute('${name}', vars), 'world');
  });
});
