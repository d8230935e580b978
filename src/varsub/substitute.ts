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
  const parts = split(text);
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = resolveReference(part, lookup, chain);
    if (value === undefined) out += part.match;
    else if (parts.length === 1) return value; // the whole text is one reference: keep its type
    else out += String(value);
  }
  return out;
}

/** The value of one variable, its own references substituted; undefined when not defined. */
export function lookupVariable(name: string, lookup: Lookup, chain: string[] = []): VarValue | undefined {
  if (chain.includes(name)) throw new VariableCycleError(`recursive variable loop: ${[...chain, name].join(' -> ')}`);
  const value = lookup(name);
  if (typeof value !== 'string' || !value.includes('${')) return value;
  return substitute(value, lookup, [...chain, name]);
}

interface Reference {
  match: string;
  inner: string;
}

function split(text: string): (string | Reference)[] {
  const parts: (string | Reference)[] = [];
  let last = 0;
  for (const m of text.matchAll(REFERENCE)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ match: m[0], inner: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < text.length || parts.length === 0) parts.push(text.slice(last));
  return parts;
}

function resolveReference(ref: Reference, lookup: Lookup, chain: string[]): VarValue | undefined {
  // Escapes are recognised on the whole match, as wharf-cmd does: `${ %x% }` is no escape.
  if (ref.match === '${%}') return '${}';
  if (ref.inner.length >= 2 && ref.inner.startsWith('%') && ref.inner.endsWith('%')) return `\${${ref.inner.slice(1, -1)}}`;
  return lookupVariable(ref.inner.trim(), lookup, chain);
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
