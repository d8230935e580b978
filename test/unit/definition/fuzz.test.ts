// Property: random mutations of a valid file give either a plan or positioned errors,
// never a crash or a hang. The mutants go through the whole pure path (parse, variables,
// pods), seeded so a failure can be reproduced from its number.
import assert from 'node:assert/strict';
import { planDefinition } from '../../../src/plan/make-plan.ts';

const SEED = `
inputs:
  - {name: greeting, type: string, default: hi}
  - {name: level, type: choice, values: [low, high], default: low}
  - {name: n, type: number, default: 2}
  - {name: token, type: password}
environments:
  prod: &prod {replicas: 3, ns: prod}
  stage: {<<: *prod, ns: stage}
build:
  compile:
    container: &base {image: "alpine:3", cmds: ["echo \${greeting}"]}
  again:
    container: {<<: *base, shell: /bin/sh}
  image:
    docker: {file: Dockerfile, tag: "\${GIT_TAG},latest", args: [A=1], secretName: s, secretArgs: [T=t]}
deploy:
  environments: [prod, stage]
  runs-if: success
  chart:
    helm: {chart: app, name: app, namespace: "\${ns}", set: {namespace: "\${ns}"}, files: [values.yaml]}
  manifests:
    kubectl: {files: [a.yml, b.yml], namespace: "\${ns}"}
publish:
  run-if: always
  chart:
    helm-package: {chart-path: charts/app, version: "1.0"}
  lib:
    nuget-package: {version: "1.0", project-path: src/x.csproj, repo: https://nuget}
`;
const TOKENS = [
  ':',
  '-',
  ' ',
  '\n',
  '  ',
  '{',
  '}',
  '[',
  ']',
  '&a',
  '*a',
  '<<: *a',
  '<<: *prod',
  '"',
  "'",
  '#',
  '${x}',
  '${%',
  '${greeting}',
  'runs-if: ',
  'container:',
  'docker:',
  '\t',
  '?',
  '|',
  '>',
  '!!str',
  '!!int',
  '0x1F',
  '1.0',
  'null',
  '~',
  '---',
  '%YAML 1.2\n',
];
const LAYERS = [
  {
    source: 'test',
    variables: {
      GIT_TAG: 'v1',
      REPO_NAME: 'app',
      REPO_GROUP: 'g',
      REG_URL: 'r',
      CHART_REPO: 'c',
      REG_SECRET: 'rs',
      PROJECT_ID: '7',
      x: '${x}',
    },
  },
];

/** A small deterministic PRNG. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function mutate(text: string, random: () => number): string {
  let out = text;
  for (let edits = 1 + Math.floor(random() * 4); edits > 0; edits--) {
    const at = Math.floor(random() * out.length);
    const op = random();
    if (op < 0.4) out = out.slice(0, at) + TOKENS[Math.floor(random() * TOKENS.length)] + out.slice(at);
    else if (op < 0.7) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 20));
    else {
      const from = Math.floor(random() * out.length);
      out = out.slice(0, at) + out.slice(from, from + 30) + out.slice(at);
    }
  }
  return out;
}

describe('definition front end under random mutations', function () {
  this.timeout(120_000);

  it('plans the unmutated seed', () => {
    const result = planDefinition({
      file: 'seed.yml',
      text: SEED,
      env: 'prod',
      inputs: {},
      buildId: 'b',
      layers: LAYERS,
    });
    assert.ok('plan' in result, JSON.stringify(result));
  });

  const MUTANTS = Number(process.env.FUZZ_MUTANTS ?? 3000);
  it(`always returns a plan or positioned, sorted errors (${MUTANTS} mutants)`, () => {
    let planned = 0;
    for (let n = 0; n < MUTANTS; n++) {
      const text = mutate(SEED, rng(n + 1));
      const started = performance.now();
      let result;
      try {
        result = planDefinition({
          file: 'mutant.yml',
          text,
          env: n % 2 ? 'prod' : null,
          inputs: {},
          buildId: 'b',
          layers: LAYERS,
        });
      } catch (err) {
        assert.fail(`mutant ${n} crashed: ${err instanceof Error ? err.stack : String(err)}\n${text}`);
      }
      assert.ok(performance.now() - started < 2000, `mutant ${n} took ${Math.round(performance.now() - started)} ms`);
      if ('plan' in result) {
        planned++;
        assert.ok(result.plan.stages.length > 0, `mutant ${n}: a plan without stages`);
        continue;
      }
      const lines = text.split('\n').length;
      assert.ok(result.errors.length > 0, `mutant ${n}: neither a plan nor errors`);
      for (const e of result.errors) {
        assert.ok(
          Number.isInteger(e.line) && e.line >= 1 && e.line <= lines + 1 && e.column >= 1,
          `mutant ${n}: bad position ${e.line}:${e.column} for ${e.message}`,
        );
        assert.ok(e.message.length > 0 && !/\n/.test(e.message), `mutant ${n}: message ${JSON.stringify(e.message)}`);
      }
      const positions = result.errors.map((e) => e.line * 1e6 + e.column);
      assert.deepEqual(
        positions,
        [...positions].sort((a, b) => a - b),
        `mutant ${n}: errors out of order`,
      );
    }
    assert.ok(
      planned > MUTANTS / 30 && planned < MUTANTS * 0.97,
      `a useful mix of valid and invalid mutants (${planned} planned)`,
    );
  });
});
