// Reads YAML text into one document with positions kept: syntax errors and duplicate
// keys become positioned errors, and (as wharf-cmd) only the first document is used.
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  visit,
  type Document,
  type Node,
  type YAMLError,
} from 'yaml';
import type { DefinitionError } from './definition-error.ts';
import { YAML_MAX_DEPTH } from '../limits/definition-limits.ts';
import { boundDocument } from './yaml-bounds.ts';
import { YamlWalker } from './yaml-walk.ts';

export interface LoadedYaml {
  walker: YamlWalker | null;
  root: Node | null;
  errors: DefinitionError[];
  warnings: DefinitionError[];
}

export function loadYaml(file: string, text: string): LoadedYaml {
  try {
    return load(file, text);
  } catch (err) {
    // The parser recurses over nesting; a file nested past what the stack holds says so.
    if (!(err instanceof RangeError)) throw err;
    return {
      walker: null,
      root: null,
      errors: [{ file, line: 1, column: 1, path: '', message: TOO_DEEP }],
      warnings: [],
    };
  }
}

const TOO_DEEP = `nesting too deep to read (at most ${YAML_MAX_DEPTH} levels of maps and lists)`;

function load(file: string, text: string): LoadedYaml {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, {
    lineCounter: lines,
    uniqueKeys: true,
    merge: true,
    prettyErrors: false,
    strict: true,
  });
  const docs: Document[] = Array.isArray(parsed) ? parsed : [];
  const at = (e: YAMLError, path = ''): DefinitionError => {
    const pos = lines.linePos(e.pos[0]);
    // The parser reports its own stack overflow on very deep nesting as a syntax error.
    const message = /Maximum call stack size exceeded/.test(e.message) ? TOO_DEEP : firstLine(e.message);
    return { file, line: pos.line, column: pos.col, path, message };
  };
  // After the first syntax error the parser's further complaints are mostly echoes of it.
  const errors = docs.flatMap((d) => {
    const syntax = d.errors.find((e) => e.code !== 'DUPLICATE_KEY');
    return d.errors
      .filter((e) => e === syntax || e.code === 'DUPLICATE_KEY')
      .map((e) => {
        const duplicate = e.code === 'DUPLICATE_KEY' ? describeDuplicate(d, e.pos[0], lines) : null;
        return duplicate ? { ...at(e, duplicate.path), message: duplicate.message } : at(e);
      });
  });
  const warnings = docs.flatMap((d) => d.warnings.map((e) => at(e)));
  const first = docs[0];
  if (docs.length > 1) {
    const pos = lines.linePos(docs[1]!.range?.[0] ?? 0);
    errors.push({
      file,
      line: pos.line,
      column: pos.col,
      path: '',
      message: `only 1 document is allowed, found ${docs.length}`,
    });
  }
  // Duplicate keys leave a usable document; any other syntax error does not.
  if (!first || first.errors.some((e) => e.code !== 'DUPLICATE_KEY'))
    return { walker: null, root: null, errors, warnings };
  const bounds = boundDocument(first);
  if (bounds.problem) {
    const pos = lines.linePos(bounds.problem.offset);
    return {
      walker: null,
      root: null,
      errors: [{ file, line: pos.line, column: pos.col, path: '', message: bounds.problem.message }],
      warnings,
    };
  }
  const walker = new YamlWalker(bounds.aliases, lines);
  return { walker, root: walker.resolve(first.contents), errors, warnings };
}

/** The scope path of a duplicate key at `offset`, and where the key first appears. */
function describeDuplicate(
  doc: Document,
  offset: number,
  lines: LineCounter,
): { path: string; message: string } | null {
  let found: { path: string; message: string } | null = null;
  visit(doc, {
    Pair(_, pair, ancestors) {
      const own = pair.key;
      if (!isScalar(own) || own.range?.[0] !== offset) return undefined;
      const names: string[] = [];
      ancestors.forEach((node, i) => {
        const next = ancestors[i + 1] ?? pair;
        if (isPair(node) && isScalar(node.key)) names.push(String(node.key.value));
        if (isSeq(node)) names.push(String(node.items.indexOf(next as never)));
      });
      const key = String(own.value);
      const parent = ancestors[ancestors.length - 1];
      const first = isMap(parent)
        ? parent.items.find((p) => isScalar(p.key) && p.key.value === own.value && p !== pair)
        : undefined;
      const firstAt =
        isScalar(first?.key) && first.key.range ? ` (first at line ${lines.linePos(first.key.range[0]).line})` : '';
      found = { path: [...names, key].join('/'), message: `duplicate key '${key}'${firstAt}` };
      return visit.BREAK;
    },
  });
  return found;
}

function firstLine(message: string): string {
  // The parser appends " at line L, column C" and a code excerpt; the position is printed already.
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
