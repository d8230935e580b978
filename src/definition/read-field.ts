// Reads one field's value with strict types, as wharf-cmd does: `tag: 1.0` is a float,
// not a string. String scalars are substituted first (when a substitution is given), so a
// value that is only `${x}` takes x's type and is checked as that type.
import { isMap, isSeq, type Node } from 'yaml';
import { stringify, type VarValue } from '../varsub/substitute.ts';
import type { FieldValue, Value } from './types.ts';
import { kindOf, kindOfValue, scalarValue, type YamlWalker } from '../yaml/yaml-walk.ts';

export type FieldKind = 'string' | 'strings' | 'boolean' | 'number' | 'map';

export interface FieldReader {
  walker: YamlWalker;
  /** Reports a problem at `node`; `suffix` extends the scope path (e.g. `[2]`, `.image.tag`). */
  report: (node: Node | null, message: string, suffix?: string) => void;
  /** Substitutes variables in a string scalar; undefined when it failed (and was reported). */
  substitute?: (text: string, node: Node | null, suffix?: string) => VarValue | undefined;
}

const WANTED: Record<FieldKind, string> = {
  string: 'a string',
  strings: 'a list of strings',
  boolean: 'a boolean',
  number: 'a number',
  map: 'a map of strings',
};

export function readField(node: Node | null, kind: FieldKind, r: FieldReader): FieldValue | undefined {
  switch (kind) {
    case 'strings': {
      if (!isSeq(node)) return void r.report(node, `expected ${WANTED.strings}, got ${kindOf(node)}`);
      const out: string[] = [];
      r.walker.items(node).forEach((item, i) => {
        const v = readScalar(item, 'string', r, `[${i}]`);
        if (typeof v === 'string') out.push(v);
      });
      return out;
    }
    case 'map': {
      if (!isMap(node)) return void r.report(node, `expected ${WANTED.map}, got ${kindOf(node)}`);
      const out: Record<string, string> = {};
      for (const e of r.walker.entries(node)) {
        const key = r.substitute && e.keyIsString ? r.substitute(e.key, e.keyNode, `.${e.key}`) : e.key;
        const v = readScalar(e.value, 'string', r, `.${e.key}`);
        if (typeof v === 'string' && key !== undefined) out[stringify(key)] = v;
      }
      return out;
    }
    default:
      return readScalar(node, kind, r);
  }
}

function readScalar(
  node: Node | null,
  kind: 'string' | 'boolean' | 'number',
  r: FieldReader,
  suffix?: string,
): Value | undefined {
  const raw = scalarValue(node);
  if (raw === undefined) return void r.report(node, `expected ${WANTED[kind]}, got ${kindOf(node)}`, suffix);
  const value = typeof raw === 'string' && r.substitute ? r.substitute(raw, node, suffix) : raw;
  if (value === undefined) return undefined;
  if (value !== null && typeof value === kind) return value;
  const got = value === raw ? kindOf(node) : `${kindOfValue(value)} from ${JSON.stringify(raw)}`;
  return void r.report(node, `expected ${WANTED[kind]}, got ${got}`, suffix);
}
