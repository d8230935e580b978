// Wharf's variable substitution: `${name}` (spaces inside the braces trimmed), `${%name%}`
// for a literal `${name}`, `${%}` for `${}`. Undefined variables stay as written. A value
// that is exactly one `${x}` takes x's type; values that themselves hold references are
// substituted too, and a reference cycle is an error. A variable may be defined as null
// (`lorem:` with no value): alone it stays null, inside text it reads as nothing.

export type VarValue = string | number | boolean | null;
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
    else if (parts.length === 1)
      return value; // the whole text is one reference: keep its type
    else out += stringify(value);
  }
  return out;
}

/**
 * A value as text inside a string, as wharf-cmd writes it: null is nothing, and numbers
 * are written out in full (1e21 as 1000000000000000000000, 1e-7 as 0.0000001).
 */
export function stringify(value: VarValue): string {
  if (value === null) return '';
  if (typeof value !== 'number' || !Number.isFinite(value)) return String(value);
  const text = String(value);
  const m = /^(-?)(\d)(?:\.(\d+))?e([-+]\d+)$/.exec(text);
  if (!m) return text;
  const [, sign, lead, rest = '', exp] = m;
  const digits = lead! + rest;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  return `${sign}${digits.padEnd(point, '0')}`;
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
  // Escapes are recognised once the braces' white space is trimmed, as wharf-cmd does:
  // `${ %x% }` writes `${x}`, and `${%}` writes `${}`.
  const name = ref.inner.trim();
  if (name === '%') return '${}';
  if (name.length >= 2 && name.startsWith('%') && name.endsWith('%')) return `\${${name.slice(1, -1)}}`;
  return lookupVariable(name, lookup, chain);
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
