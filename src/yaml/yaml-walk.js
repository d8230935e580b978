// Walks a YAML document's nodes with their positions, resolving aliases and merge keys,
// so every value read from a definition can say where it came from.
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
export class YamlWalker {
    aliases;
    lines;
    /** `aliases`: each alias of the document and the node it stands for (see yaml-bounds.ts). */
    constructor(aliases, lines) {
        this.aliases = aliases;
        this.lines = lines;
    }
    /** Follows aliases to the node they stand for. */
    resolve(node) {
        let current = node;
        for (let depth = 0; isAlias(current) && depth < 32; depth++)
            current = this.aliases.get(current) ?? null;
        return isAlias(current) ? null : (current ?? null);
    }
    position(node, fallback = { line: 1, column: 1 }) {
        const range = node?.range;
        if (!range)
            return fallback;
        const pos = this.lines.linePos(range[0]);
        return { line: pos.line, column: pos.col };
    }
    /** A map's entries in file order, merge keys (`<<`) expanded without overriding own keys. */
    entries(node, seen = new Set()) {
        const map = this.resolve(node);
        if (!isMap(map) || seen.has(map))
            return []; // a merge that includes itself adds nothing
        seen.add(map);
        const own = [];
        const merged = [];
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
    items(node) {
        const seq = this.resolve(node);
        return isSeq(seq) ? seq.items.map((item) => this.resolve(item)) : [];
    }
}
/** True for a missing value and for an explicit null (`key:` or `key: ~`). */
export function isNull(node) {
    return node === null || (isScalar(node) && node.value === null);
}
/** A scalar's value when it is a string, number or boolean; undefined otherwise. */
export function scalarValue(node) {
    if (!isScalar(node))
        return undefined;
    const v = node.value;
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
}
/** What a node is, for messages: "a string", "an integer", "a map", "nothing", ... */
export function kindOf(node) {
    if (node === null)
        return 'nothing';
    if (isMap(node))
        return 'a map';
    if (isSeq(node))
        return 'a list';
    if (isScalar(node))
        return kindOfValue(node.value, node.source);
    return 'an unknown value';
}
export function kindOfValue(value, source) {
    if (value === null || value === undefined)
        return 'nothing';
    if (typeof value === 'number')
        return Number.isInteger(value) && !/[.eE]/.test(source ?? '') ? 'an integer' : 'a float';
    if (typeof value === 'boolean')
        return 'a boolean';
    if (typeof value === 'string')
        return 'a string';
    return 'an unknown value';
}
