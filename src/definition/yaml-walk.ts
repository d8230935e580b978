// Walks a YAML document's nodes with their positions, resolving aliases and merge keys,
// so every value read from a definition can say where it came from.
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Document, type Node, type Pair } from 'yaml';

export interface Located {
  node: Node | null;
  line: number;
  column: number;
}

export class YamlWalker {
  readonly doc: Document;
  private readonly lines: LineCounter;

  constructor(doc: Document, lines: LineCounter) {
    this.doc = doc;
    this.lines = lines;
  }

  /** Follows aliases to the node they stand for. */
  resolve(node: unknown): Node | null {
    let current = node;
    for (let depth = 0; isAlias(current) && depth < 32; depth++) current = current.resolve(this.doc);
    return (current as Node | null | undefined) ?? null;
  }

  position(node: unknown, fallback?: { line: number; column: number }): { line: number; column: number } {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!range) return fallback ?? { line: 1, column: 1 };
    const pos = this.lines.linePos(range[0]);
    return { line: pos.line, column: pos.col };
  }

  /** A map's entries in file order, merge keys (`<<`) expanded without overriding. */
  entries(node: Node): { key: string; keyNode: unknown; value: Node | null; pair: Pair }[] {
    const map = this.resolve(node);
    if (!isMap(map)) return [];
    const own: { key: string; keyNode: unknown; value: Node | null; pair: Pair }[] = [];
    const merged: typeof own = [];
    for (const pair of map.items) {
      // With merge keys on, the parser gives `<<` as a symbol.
      const key = isScalar(pair.key) ? (typeof pair.key.value === 'symbol' ? '<<' : String(pair.key.value)) : String(pair.key);
      if (key === '<<') {
        const sources = this.resolve(pair.value);
        const list = isSeq(sources) ? sources.items : [sources];
        for (const source of list) merged.push(...this.entries(this.resolve(source) as Node));
        continue;
      }
      own.push({ key, keyNode: pair.key, value: this.resolve(pair.value), pair });
    }
    const seen = new Set(own.map((e) => e.key));
    return [...own, ...merged.filter((e) => !seen.has(e.key) && (seen.add(e.key), true))];
  }

  items(node: Node): (Node | null)[] {
    const seq = this.resolve(node);
    return isSeq(seq) ? seq.items.map((item) => this.resolve(item)) : [];
  }
}

export function kindOf(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'nothing';
    if (typeof v === 'number') return Number.isInteger(v) && !/[.eE]/.test(node.source ?? '') ? 'an integer' : 'a float';
    if (typeof v === 'boolean') return 'a boolean';
    return 'a string';
  }
  return 'an unknown value';
}
