// Bounds a YAML document before anything walks it: how deep its maps and lists nest, and
// how many nodes it stands for once every alias is expanded (a few kilobytes of nested
// aliases can stand for billions). Resolves every alias once, in one pass, the way the
// YAML spec does: to the closest anchor of that name before it.
import { isAlias, isMap, isPair, isSeq } from 'yaml';
import { YAML_MAX_DEPTH, YAML_MAX_EXPANDED_NODES } from '../limits.js';
class TooLarge extends Error {
    at;
    constructor(at) {
        super('too large');
        this.at = at;
    }
}
export function boundDocument(doc) {
    const aliases = new Map();
    const root = doc.contents;
    const deep = tooDeep(root);
    if (deep)
        return { aliases, problem: { offset: offsetOf(deep), message: `nesting deeper than ${YAML_MAX_DEPTH} levels of maps and lists` } };
    const anchors = new Map();
    const expanded = new Map();
    // Depth is bounded, so this recursion is too; an alias adds its target's size, known
    // already since anchors come before their aliases.
    const size = (node) => {
        if (isAlias(node)) {
            const target = anchors.get(node.source) ?? null;
            aliases.set(node, target);
            return target ? (expanded.get(target) ?? 1) : 1;
        }
        const n = node;
        if (n?.anchor)
            anchors.set(n.anchor, n);
        let total = 1;
        for (const child of children(n)) {
            total += size(child);
            if (total > YAML_MAX_EXPANDED_NODES)
                throw new TooLarge(isAlias(child) ? child : child);
        }
        if (n?.anchor)
            expanded.set(n, total);
        return total;
    };
    try {
        size(root);
    }
    catch (err) {
        if (!(err instanceof TooLarge))
            throw err;
        return {
            aliases,
            problem: { offset: offsetOf(err.at), message: `with its aliases expanded the document stands for more than ${YAML_MAX_EXPANDED_NODES} values; refused` },
        };
    }
    return { aliases, problem: null };
}
function children(node) {
    if (isMap(node))
        return node.items.flatMap((pair) => (isPair(pair) ? [pair.key, pair.value] : []));
    if (isSeq(node))
        return node.items;
    return [];
}
/** The first node nested deeper than the bound, found without recursion. */
function tooDeep(root) {
    const stack = [[root, 0]];
    while (stack.length) {
        const [node, depth] = stack.pop();
        if (depth > YAML_MAX_DEPTH)
            return node;
        for (const child of children(node))
            stack.push([child, depth + 1]);
    }
    return null;
}
function offsetOf(node) {
    return node?.range?.[0] ?? 0;
}
