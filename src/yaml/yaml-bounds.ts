// Bounds a YAML document before anything walks it: how deep its maps and lists nest, and
// how many nodes it stands for once every alias is expanded (a few kilobytes of nested
// aliases can stand for billions). Resolves every alias once, in one pass, the way the
// YAML spec does: to the closest anchor of that name before it.
import { isAlias, isMap, isPair, isSeq, type Alias, type Document, type Node } from 'yaml';
import { YAML_MAX_DEPTH, YAML_MAX_EXPANDED_NODES } from '../limits/definition-limits.ts';

export interface DocumentBounds {
  /** Each alias and the node it stands for (null when no anchor of its name comes before it). */
  aliases: Map<Alias, Node | null>;
  /** What is wrong, at the node's offset, or null when the document is within bounds. */
  problem: { offset: number; message: string } | null;
}

class TooLarge extends Error {
  readonly at: Node;
  constructor(at: Node) {
    super('too large');
    this.at = at;
  }
}

export function boundDocument(doc: Document): DocumentBounds {
  const aliases = new Map<Alias, Node | null>();
  const root = doc.contents as Node | null;
  const deep = tooDeep(root);
  if (deep)
    return {
      aliases,
      problem: { offset: offsetOf(deep), message: `nesting deeper than ${YAML_MAX_DEPTH} levels of maps and lists` },
    };
  const anchors = new Map<string, Node>();
  const expanded = new Map<Node, number>();
  // Depth is bounded, so this recursion is too; an alias adds its target's size, known
  // already since anchors come before their aliases.
  const size = (node: unknown): number => {
    if (isAlias(node)) {
      const target = anchors.get(node.source) ?? null;
      aliases.set(node, target);
      return target ? (expanded.get(target) ?? 1) : 1;
    }
    const n = node as Node | null;
    if (n?.anchor) anchors.set(n.anchor, n);
    let total = 1;
    for (const child of children(n)) {
      total += size(child);
      if (total > YAML_MAX_EXPANDED_NODES) throw new TooLarge(isAlias(child) ? child : (child as Node));
    }
    if (n?.anchor) expanded.set(n, total);
    return total;
  };
  try {
    size(root);
  } catch (err) {
    if (!(err instanceof TooLarge)) throw err;
    return {
      aliases,
      problem: {
        offset: offsetOf(err.at),
        message: `with its aliases expanded the document stands for more than ${YAML_MAX_EXPANDED_NODES} values; refused`,
      },
    };
  }
  return { aliases, problem: null };
}

function children(node: Node | null): unknown[] {
  if (isMap(node)) return node.items.flatMap((pair) => (isPair(pair) ? [pair.key, pair.value] : []));
  if (isSeq(node)) return node.items;
  return [];
}

/** The first node nested deeper than the bound, found without recursion. */
function tooDeep(root: Node | null): Node | null {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (depth > YAML_MAX_DEPTH) return node as Node;
    for (const child of children(node as Node | null)) stack.push([child, depth + 1]);
  }
  return null;
}

function offsetOf(node: unknown): number {
  return (node as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
}
