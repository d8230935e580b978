// Wharf's variable substitution: `${name}` (spaces inside the braces trimmed), `${%name%}`
// for a literal `${name}`, `${%}` for `${}`. Undefined variables stay as written. A value
// that is exactly one `${x}` takes x's type; values that themselves hold references are
// substituted too, and a reference cycle is an error.

export type VarValue = string | number | boolean;
export type Lookup = (name: string) => VarValue | undefined;

export class VariableCycleError extends Error {
  override name = 'VariableCycleError';
}

const REFERENCE = /\$\{([^}]*)\}/g;

export function substitute(text: string, lookup: Lookup, chain: string[] = []): VarValue {
  const whole = /^\$\{([^}]*)\}$/.exec(text);
  if (whole) {
    const value = resolve(whole[1]!, lookup, chain);
    if (value !== undefined) return value;
  }
  return text.replace(REFERENCE, (match, inner: string) => {
    const value = resolve(inner, lookup, chain);
    return value === undefined ? match : String(value);
  });
}

function resolve(inner: string, lookup: Lookup, chain: string[]): VarValue | undefined {
  if (inner === '%') return '${}';
  if (inner.length >= 2 && inner.startsWith('%') && inner.endsWith('%')) return `\${${inner.slice(1, -1)}}`;
  const name = inner.trim();
  if (name === '') return undefined;
  if (chain.includes(name)) throw new VariableCycleError(`variable reference cycle: ${[...chain, name].join(' -> ')}`);
  const value = lookup(name);
  if (typeof value !== 'string' || !value.includes('${')) return value;
  return substitute(value, lookup, [...chain, name]);
}

/** A lookup over layers of variables: the first layer that has the name wins. */
export function layeredLookup(layers: Record<string, VarValue>[]): Lookup {
  return (name) => {
    for (const layer of layers) {
      if (Object.hasOwn(layer, name)) return layer[name];
    }
    return undefined;
  };
}
