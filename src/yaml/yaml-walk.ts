// Walks a YAML document's nodes with their positions, resolving aliases and merge keys,
// so every value read from a definition can say where it came from.
import { isAlias, isMap, isScalar, isSeq, type Alias, type LineCounter, type Node } from 'yaml';

/** A YAML scalar as a definition uses it. */
export type ScalarValue = string | number | boolean;

export interface Position {
  line: number;
  column: number;
}

export interface MapEntry {
  key: string;
  /** False when the key is not a string (a number, a boolean, null or a collection). */
  keyIsString: boolean;
  keyNode: Node | null;
  value: Node | null;
}

export class YamlWalker {
  private readonly aliases: ReadonlyMap<Alias, Node | null>;
  private readonly lines: LineCounter;

  /** `aliases`: each alias of the document and the node it stands for (see yaml-bounds.ts). */
  constructor(aliases: ReadonlyMap<Alias, Node | null>, lines: LineCounter) {
    this.aliases = aliases;
    this.lines = lines;
  }

  /** Follows aliases to the node they stand for. */
  resolve(node: unknown): Node | null {
    let current = node;
    for (let depth = 0; isAlias(current) && depth < 32; depth++) current = this.aliases.get(current) ?? null;
    return isAlias(current) ? null : ((current as Node | null | undefined) ?? null);
  }

  position(node: unknown, fallback: Position = { line: 1, column: 1 }): Position {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!range) return fallback;
    const pos = this.lines.linePos(range[0]);
    return { line: pos.line, column: pos.col };
  }

  /** A map's entries in file order, merge keys (`<<`) expanded without overriding own keys. */
  entries(node: Node | null, seen: Set<Node> = new Set()): MapEntry[] {
    const map = this.resolve(node);
    if (!isMap(map) || seen.has(map)) return []; // a merge that includes itself adds nothing
    seen.add(map);
    const own: MapEntry[] = [];
    const merged: MapEntry[] = [];
    for (const pair of map.items) {
      const keyNode = this.resolve(pair.key);
      // With merge keys on, the parser gives `<<` a symbol as its value.
      if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
        const sources = this.resolve(pair.value);
        for (const source of isSeq(sources) ? sources.items : [sources])
          merged.push(...this.entries(this.resolve(source), seen));
        continue;
      }
      const keyIsString = isScalar(keyNode) && typeof keyNode.value === 'string';
      // A collection as a key is named by its kind (printing it could even throw).
      const key = isScalar(keyNode) ? String(keyNode.value) : keyNode === null ? '' : `(${kindOf(keyNode)})`;
      own.push({ key, keyIsString, keyNode, value: this.resolve(pair.value) });
    }
    const keys = new Set(own.map((e) => e.key));
    return [...own, ...merged.filter((e) => !keys.has(e.key) && (keys.add(e.key), true))];
  }

  items(node: Node | null): (Node | null)[] {
    const seq = this.resolve(node);
    return isSeq(seq) ? seq.items.map((item) => this.resolve(item)) : [];
  }
}

/** True for a missing value and for an explicit null (`key:` or `key: ~`). */
export function isNull(node: Node | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

/** A scalar's value when it is a string, number or boolean; undefined otherwise. */
export function scalarValue(node: Node | null): ScalarValue | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
}

/** What a node is, for messages: "a string", "an integer", "a map", "nothing", ... */
export function kindOf(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return kindOfValue(node.value, node.source);
  return 'an unknown value';
}

export function kindOfValue(value: unknown, source?: string): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'number')
    return Number.isInteger(value) && !/[.eE]/.test(source ?? '') ? 'an integer' : 'a float';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'string') return 'a string';
  return 'an unknown value';
}
