// Cases from wharf-cmd's pkg/varsub tests, plus cycles and typing.
import assert from 'node:assert/strict';
import { layeredLookup, lookupVariable, substitute, VariableCycleError } from '../../../src/varsub/substitute.ts';

describe('variable substitution', () => {
  const vars = layeredLookup([
    {
      lorem: 'ipsum',
      count: 3,
      float: 1.5,
      on: true,
      nested: 'hello ${lorem}',
      typed: '${count}',
      a: '${b}',
      b: '${a}',
      self: 'x${self}',
      'my-var': 'dash',
    },
    { lorem: 'a later layer loses' },
  ]);
  const cases: [string, unknown][] = [
    ['${lorem}', 'ipsum'],
    ['Foo ${lorem} bar', 'Foo ipsum bar'],
    ['Foo ${\n \tlorem\r} bar', 'Foo ipsum bar'],
    ['Foo ${  lorem  } bar', 'Foo ipsum bar'],
    ['${lorem ipsum}', '${lorem ipsum}'],
    ['Foo ${%lorem%} bar', 'Foo ${lorem} bar'],
    ['Foo ${%%} bar', 'Foo ${} bar'],
    ['Foo ${%} bar', 'Foo ${} bar'],
    ['Foo ${%\n \r%} bar', 'Foo ${\n \r} bar'],
    ['Foo ${ %lorem% } bar', 'Foo ${lorem} bar'],
    ['Foo ${%lorem} bar', 'Foo ${%lorem} bar'],
    ['Foo ${} bar', 'Foo ${} bar'],
    ['${missing} and ${lorem}', '${missing} and ipsum'],
    ['${my-var}', 'dash'],
    ['${lorem} ${lorem}', 'ipsum ipsum'],
    ['$lorem {lorem} $${lorem}', '$lorem {lorem} $ipsum'],
    ['', ''],
  ];
  for (const [text, want] of cases) {
    it(`${JSON.stringify(text)} -> ${JSON.stringify(want)}`, () => assert.equal(substitute(text, vars), want));
  }

  it('keeps the type of a value that is exactly one reference, and stringifies it inside text', () => {
    assert.equal(substitute('${count}', vars), 3);
    assert.equal(substitute('${float}', vars), 1.5);
    assert.equal(substitute('${on}', vars), true);
    assert.equal(substitute(' ${count}', vars), ' 3');
    assert.equal(substitute('n=${count}, ${on}', vars), 'n=3, true');
  });

  it('substitutes nested references, keeping the type through them', () => {
    assert.equal(substitute('${nested}!', vars), 'hello ipsum!');
    assert.equal(substitute('${typed}', vars), 3);
    assert.equal(lookupVariable('nested', vars), 'hello ipsum');
    assert.equal(lookupVariable('missing', vars), undefined);
  });

  it('reports reference cycles with their chain', () => {
    assert.throws(
      () => substitute('root: ${a}', vars),
      (e: unknown) => e instanceof VariableCycleError && e.message === 'recursive variable loop: a -> b -> a',
    );
    assert.throws(() => substitute('${self}', vars), /recursive variable loop: self -> self/);
  });

  it('takes the first layer that has the name', () => {
    assert.equal(substitute('${lorem}', vars), 'ipsum');
  });
});
