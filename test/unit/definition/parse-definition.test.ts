import assert from 'node:assert/strict';
import { formatError } from '../../../src/yaml/definition-error.ts';
import { parseDefinition } from '../../../src/definition/parse-definition.ts';
import { layeredLookup } from '../../../src/varsub/substitute.ts';

const F = '.wharf-ci.yml';
const errorsOf = (...lines: string[]): string[] => parseDefinition(F, lines.join('\n')).errors.map(formatError);
const warningsOf = (...lines: string[]): string[] => parseDefinition(F, lines.join('\n')).warnings.map(formatError);

describe('definition parser', () => {
  it('reads stages and steps in file order, with defaults', () => {
    const { definition, errors } = parseDefinition(
      F,
      [
        'zeta:',
        '  second:',
        '    container: {image: alpine, cmds: [echo 2]}',
        '  first:',
        '    container: {image: alpine, cmds: [echo 1]}',
        'alpha:',
        '  runs-if: always',
        '  only:',
        '    kubectl: {file: deploy.yaml}',
      ].join('\n'),
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(
      definition.stages.map((s) => [s.name, s.runsIf, s.steps.map((st) => st.name)]),
      [
        ['zeta', 'success', ['second', 'first']],
        ['alpha', 'always', ['only']],
      ],
    );
    assert.deepEqual(definition.stages[0]!.steps[0]!.fields, {
      image: 'alpine',
      cmds: ['echo 2'],
      os: 'linux',
      shell: '/bin/sh',
      serviceAccount: 'default',
    });
    assert.deepEqual(definition.stages[1]!.steps[0]!.fields, {
      file: 'deploy.yaml',
      files: [],
      action: 'apply',
      force: false,
      cluster: 'kubectl-config',
    });
  });

  it('reports every error at once, sorted by position, each with line, column and scope', () => {
    assert.deepEqual(
      errorsOf(
        'environments:',
        '  prod: {replicas: 3}',
        'build:',
        '  environments: [prod, qa]',
        '  runs-if: sometimes',
        '  compile:',
        '    container:',
        '      cmds: [make]',
        '  both:',
        '    container: {image: a, cmds: [x]}',
        '    kubectl: {file: x}',
        '  odd:',
        '    teleport: {}',
        '  typed:',
        '    docker: {file: Dockerfile, destination: r/app, tag: 1.0, push: false}',
        'empty: {}',
      ),
      [
        '.wharf-ci.yml:4:24 build/environments[1]: use of undefined environment "qa"',
        ".wharf-ci.yml:5:12 build/runs-if: invalid run condition: 'sometimes' must be one of 'always', 'success', or 'fail'",
        '.wharf-ci.yml:7:5 build/compile/container/image: missing required field',
        '.wharf-ci.yml:11:5 build/both: contains multiple step types: container, kubectl; a step has exactly one',
        ".wharf-ci.yml:13:5 build/odd/teleport: unknown step type 'teleport' (expected one of container, docker, helm, helm-package, kubectl, nuget-package)",
        '.wharf-ci.yml:15:57 build/typed/docker/tag: expected a string, got a float',
        '.wharf-ci.yml:16:1 empty: stage is missing steps',
      ],
    );
  });

  it('reports YAML syntax errors, duplicate keys and extra documents with their positions', () => {
    assert.deepEqual(errorsOf('build:', '  a: [unclosed', ''), [
      '.wharf-ci.yml:3:1 Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    assert.deepEqual(
      errorsOf(
        'build:',
        '  a:',
        '    container: {image: x, cmds: [y]}',
        '  a:',
        '    container: {image: x, cmds: [y]}',
      ),
      [".wharf-ci.yml:4:3 build/a: duplicate key 'a' (first at line 2)"],
    );
    assert.deepEqual(
      errorsOf('inputs:', '  - {name: a, type: string, type: number}', 'b:', '  s: {container: {image: x, cmds: [y]}}'),
      [".wharf-ci.yml:2:29 inputs/0/type: duplicate key 'type' (first at line 2)"],
    );
    assert.deepEqual(errorsOf('build:', '  a:', '    container: {image: x, cmds: [y]}', '---', 'other: {}'), [
      '.wharf-ci.yml:4:1 only 1 document is allowed, found 2',
    ]);
    assert.deepEqual(errorsOf('build:', '\t- tab'), ['.wharf-ci.yml:2:1 Tabs are not allowed as indentation']);
  });

  it('reports an empty file, a document that is not a map and a file without stages', () => {
    assert.deepEqual(errorsOf(''), ['.wharf-ci.yml:1:1 empty document: a build needs at least one stage']);
    assert.deepEqual(errorsOf('# only a comment'), [
      '.wharf-ci.yml:1:1 empty document: a build needs at least one stage',
    ]);
    assert.deepEqual(errorsOf('- a', '- b'), ['.wharf-ci.yml:1:1 the document must be a map of stages, got a list']);
    assert.deepEqual(errorsOf('environments: {prod: {}}'), [
      '.wharf-ci.yml:1:1 missing stages: a build needs at least one stage',
    ]);
  });

  it('reports wrong value types for stages, steps and step types', () => {
    assert.deepEqual(
      errorsOf(
        'a: [x]',
        'b:',
        '  s: hello',
        '  t:',
        '    container: just text',
        '  u: {}',
        '  v:',
        '    container:',
        '      image: {name: x}',
        '      cmds: [echo, 1, [x]]',
        '      shell: null',
        '123:',
        '  s:',
        '    container: {image: x, cmds: [y]}',
      ),
      [
        '.wharf-ci.yml:1:4 a: expected a stage (a map of steps), got a list',
        '.wharf-ci.yml:3:6 b/s: expected a step (a map with one step type), got a string',
        ".wharf-ci.yml:5:16 b/t/container: expected the container step's fields (a map), got a string",
        '.wharf-ci.yml:6:6 b/u: missing a step type (one of container, docker, helm, helm-package, kubectl, nuget-package)',
        '.wharf-ci.yml:9:14 b/v/container/image: expected a string, got a map',
        '.wharf-ci.yml:10:20 b/v/container/cmds[1]: expected a string, got an integer',
        '.wharf-ci.yml:10:23 b/v/container/cmds[2]: expected a string, got a list',
        '.wharf-ci.yml:11:14 b/v/container/shell: expected a string, got nothing',
        '.wharf-ci.yml:12:1 a stage name must be a string, got an integer',
      ],
    );
  });

  it('treats required fields as wharf-cmd: absent, "" and [] are missing', () => {
    assert.deepEqual(
      errorsOf('b:', '  s:', '    container: {image: "", cmds: []}', '  n:', '    nuget-package: {version: 1.0.0}'),
      [
        '.wharf-ci.yml:3:24 b/s/container/image: missing required field',
        '.wharf-ci.yml:3:34 b/s/container/cmds: missing required field',
        '.wharf-ci.yml:5:5 b/n/nuget-package/project-path: missing required field',
        '.wharf-ci.yml:5:5 b/n/nuget-package/repo: missing required field',
      ],
    );
  });

  it('ignores unknown fields inside a step type, as wharf-cmd, with a warning', () => {
    const text = ['b:', '  s:', '    container: {image: x, cmds: [y], imgae: z}'];
    assert.deepEqual(errorsOf(...text), []);
    assert.deepEqual(warningsOf(...text), [".wharf-ci.yml:3:38 b/s/container/imgae: unknown field 'imgae' is ignored"]);
  });

  it('rejects names that cannot become Kubernetes names, and names that collide once converted', () => {
    assert.deepEqual(
      errorsOf(
        '"b@d":',
        '  "My Step":',
        '    container: {image: x, cmds: [y]}',
        '  my-step:',
        '    container: {image: x, cmds: [y]}',
        '  "":',
        '    container: {image: x, cmds: [y]}',
      ),
      [
        ".wharf-ci.yml:1:1 b@d: stage name 'b@d' cannot become a Kubernetes name (use letters, digits, '-', '_', '.' or spaces, starting with a letter or digit)",
        ".wharf-ci.yml:4:3 b@d/my-step: step names 'My Step' and 'my-step' become the same Kubernetes name 'my-step'",
        '.wharf-ci.yml:6:3 b@d/: step name cannot be empty',
      ],
    );
  });

  it('reads runs-if case-insensitively, accepts the documented run-if, but not both', () => {
    const { definition, errors } = parseDefinition(
      F,
      'a:\n  run-if: Always\n  s:\n    container: {image: x, cmds: [y]}\n',
    );
    assert.deepEqual(errors, []);
    assert.equal(definition.stages[0]!.runsIf, 'always');
    assert.deepEqual(
      errorsOf('a:', '  runs-if: fail', '  run-if: always', '  s:', '    container: {image: x, cmds: [y]}'),
      ['.wharf-ci.yml:3:3 a/run-if: give the run condition once (runs-if or run-if, not both)'],
    );
    assert.deepEqual(errorsOf('a:', '  runs-if: 1', '  s:', '    container: {image: x, cmds: [y]}'), [
      '.wharf-ci.yml:2:12 a/runs-if: expected a string, got an integer',
    ]);
  });

  it('validates environments and stage filters', () => {
    assert.deepEqual(
      errorsOf(
        'environments:',
        '  prod: {a: [1], ok: true}',
        '  stage: 3',
        '  empty:',
        'deploy:',
        '  environments: prod',
        '  s:',
        '    container: {image: x, cmds: [y]}',
        'check:',
        '  environments: [prod, 1, ""]',
        '  s:',
        '    container: {image: x, cmds: [y]}',
      ),
      [
        '.wharf-ci.yml:2:13 environments/prod/a: invalid environment variable type: expected a string, boolean or number, got a list',
        '.wharf-ci.yml:3:10 environments/stage: expected a map of variables, got an integer',
        '.wharf-ci.yml:6:17 deploy/environments: stage environments should be a list of environment names, got a string',
        '.wharf-ci.yml:10:24 check/environments[1]: stage environment element should be a string, got an integer',
        '.wharf-ci.yml:10:27 check/environments[2]: environment name cannot be empty',
      ],
    );
  });

  it('resolves anchors, aliases and merge keys', () => {
    const { definition, errors } = parseDefinition(
      F,
      [
        'build:',
        '  a:',
        '    container:',
        '      <<: &base {image: alpine, shell: /bin/bash}',
        '      cmds: [echo a]',
        '  b:',
        '    container:',
        '      <<: *base',
        '      image: busybox',
        '      cmds: &cmds [echo b]',
        '  c:',
        '    container: {image: x, cmds: *cmds}',
      ].join('\n'),
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(
      definition.stages[0]!.steps.map((s) => [s.fields.image, s.fields.shell, s.fields.cmds]),
      [
        ['alpine', '/bin/bash', ['echo a']],
        ['busybox', '/bin/bash', ['echo b']],
        ['x', '/bin/sh', ['echo b']],
      ],
    );
  });

  it('survives a merge key that includes its own map', () => {
    const { errors } = parseDefinition(F, 'a: &a\n  <<: *a\n  s:\n    container: {image: x, cmds: [y]}\n');
    assert.ok(
      errors.every((e) => e.line >= 1),
      errors.map(formatError).join('\n'),
    );
  });

  it('substitutes variables into stages, keeping types and checking them', () => {
    const lookup = layeredLookup([
      { img: 'alpine:3', verbose: true, n: 2, cond: 'always', env: 'prod', loop: '${loop}' },
    ]);
    const { definition, errors } = parseDefinition(
      F,
      [
        'environments: {prod: {}}',
        'build:',
        '  runs-if: ${cond}',
        '  environments: ["${env}"]',
        '  s:',
        '    container: {image: "${img}", cmds: ["echo ${n} ${%n%}", "${ n }"]}',
        '  d:',
        '    docker: {file: Dockerfile, destination: r/app, push: "${verbose}", tag: "${n}", context: "${loop}"}',
      ].join('\n'),
      () => lookup,
    );
    assert.deepEqual(errors.map(formatError), [
      '.wharf-ci.yml:6:61 build/s/container/cmds[1]: expected a string, got an integer from "${ n }"',
      '.wharf-ci.yml:8:77 build/d/docker/tag: expected a string, got an integer from "${n}"',
      '.wharf-ci.yml:8:94 build/d/docker/context: recursive variable loop: loop -> loop',
    ]);
    const [stage] = definition.stages;
    assert.equal(stage!.runsIf, 'always');
    assert.deepEqual(stage!.environments, ['prod']);
    assert.equal(stage!.steps[0]!.fields.image, 'alpine:3');
    assert.deepEqual(stage!.steps[0]!.fields.cmds, ['echo 2 ${n}']);
  });
});
