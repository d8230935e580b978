// The layers of README's "How it works", read from the code: every import in src,
// activities and workflows runs downward (cli -> client -> worker -> workflows and
// activities -> kube, command, logs, store, source, temporal -> config, codec -> the pure front end), and
// inside the front end in its own order (plan -> pod -> definition -> varsub -> yaml ->
// limits), with no exception: a piece two layers share lives in the lower one. Imports
// are read with the TypeScript parser, dynamic `import()` included.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Rank of each unit (a folder of src, workflows, activities): imports go to a lower rank. */
const LAYERS: Record<string, number> = {
  'src/cli': 90,
  'src/client': 80,
  'src/worker': 70,
  workflows: 60,
  activities: 60,
  'src/kube': 50,
  'src/command': 50,
  'src/logs': 50,
  'src/store': 50,
  'src/source': 50,
  'src/temporal': 50,
  'src/config': 40,
  'src/codec': 40,
  'src/plan': 16,
  'src/pod': 15,
  'src/definition': 14,
  'src/varsub': 13,
  'src/yaml': 12,
  'src/limits': 11,
};
/** Units of one rank that may import each other (the runtime layer's peers; settings and the payload codec's keys). */
const PEERS_ALLOWED = new Set([50, 40]);
/** The highest rank workflow code may import besides activities' types: the pure front end. */
const FRONT_END_TOP = LAYERS['src/plan']!;

interface Import {
  file: string;
  target: string;
  typeOnly: boolean;
}

function unitOf(path: string): string {
  const [top, second] = path.split('/');
  if (top !== 'src' || second === undefined) return top!;
  return `src/${second.replace(/\.ts$/, '')}`;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** Every relative import of `file` (static, re-export, side-effect and dynamic). */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: Import[] = [];
  const add = (specifier: ts.Node | undefined, typeOnly: boolean): void => {
    if (specifier === undefined || !ts.isStringLiteralLike(specifier) || !specifier.text.startsWith('.')) return;
    found.push({ file, target: relative(ROOT, resolve(ROOT, dirname(file), specifier.text)), typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const allTypes =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      add(node.moduleSpecifier, allTypes);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument)) add(argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Why `i` breaks the layers, or undefined when it does not. */
function violation(i: Import): string | undefined {
  const from = unitOf(i.file);
  const to = unitOf(i.target);
  if (from === to) return undefined;
  const fromRank = LAYERS[from];
  const toRank = LAYERS[to];
  if (fromRank === undefined) return `${from} has no layer: add it to LAYERS`;
  if (toRank === undefined) return `${to} has no layer: add it to LAYERS`;
  if (from === 'workflows' && to === 'activities') {
    return i.typeOnly ? undefined : 'workflow code imports activities only as types (import type)';
  }
  if (from === 'activities' && to === 'workflows') {
    return i.typeOnly ? undefined : "activities import workflow code's types only (import type)";
  }
  if (from === 'workflows' && toRank > FRONT_END_TOP) {
    return `workflow code imports only the pure front end and activities' types, not ${to}`;
  }
  if (toRank > fromRank) return `${from} must not import ${to}, which is above it`;
  if (toRank === fromRank && !PEERS_ALLOWED.has(fromRank)) return `${from} must not import ${to}, its peer`;
  return undefined;
}

const imports = ['src', 'activities', 'workflows'].flatMap(sourceFiles).flatMap(importsOf);

describe('import layers', () => {
  it('reads the imports of every layer', () => {
    for (const unit of ['src/cli', 'src/client', 'src/worker', 'workflows', 'activities', 'src/kube', 'src/plan']) {
      assert.ok(
        imports.some((i) => unitOf(i.file) === unit),
        `no import read in ${unit}`,
      );
    }
    assert.ok(
      imports.some(
        (i) => i.file === 'src/client/run-build.ts' && i.target === 'src/worker/build-worker.ts' && !i.typeOnly,
      ),
    );
  });

  it('runs every import downward: cli -> client -> worker -> workflows, activities -> runtime -> front end', () => {
    const wrong = imports
      .map((i) => ({ ...i, rule: violation(i) }))
      .filter((i) => i.rule !== undefined)
      .map((i) => `${i.file} imports ${i.target}: ${i.rule}`);
    assert.deepEqual(wrong, []);
  });

  it('keeps the client free of the command line, and the plan and the definition one way', () => {
    const between = (from: string, to: string): string[] =>
      imports.filter((i) => unitOf(i.file) === from && unitOf(i.target) === to).map((i) => i.file);
    assert.deepEqual(between('src/client', 'src/cli'), []);
    assert.deepEqual(between('src/definition', 'src/plan'), []);
    assert.notDeepEqual(between('src/plan', 'src/definition'), []);
  });

  it('names the importing file, the imported one and the rule', () => {
    const rule = violation({ file: 'src/kube/pod-facade.ts', target: 'src/cli/main.ts', typeOnly: false });
    assert.equal(rule, 'src/kube must not import src/cli, which is above it');
    const rejected: [file: string, target: string, typeOnly: boolean, rule: RegExp][] = [
      ['workflows/step.ts', 'activities/index.ts', false, /only as types/],
      ['workflows/step.ts', 'src/kube/pod-facade.ts', true, /front end/],
      ['src/yaml/x.ts', 'src/definition/types.ts', true, /above it/],
      ['src/pod/translate-step.ts', 'src/command/detached-command.ts', false, /above it/],
      ['src/pod/translate-step.ts', 'src/plan/build-plan.ts', true, /above it/],
      ['src/store/build-store.ts', 'workflows/types.ts', true, /above it/],
      ['activities/run-command.ts', 'workflows/payload-limits.ts', false, /types only/],
    ];
    for (const [file, target, typeOnly, rule] of rejected) {
      assert.match(violation({ file, target, typeOnly }) ?? '', rule, `${file} -> ${target}`);
    }
  });
});
