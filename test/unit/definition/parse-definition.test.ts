import assert from 'node:assert/strict';
import { formatError } from '../../../src/definition/definition-error.ts';
import { parseDefinition } from '../../../src/definition/parse-definition.ts';
import { layeredLookup } from '../../../src/varsub/substitute.ts';

const F = '.wharf-ci.yml';
const errorsOf = (text: string): string[] => parseDefinition(F, text).errors.map(formatError);

describe('definition parser', () => {
  it('reads stages and steps in file order, with defaults', () => {
    const { definition, errors } = parseDefinition(F, [
      'zeta:',
      '  second:',
      '    container: {image: alpine, cmds: [echo 2]}',
      '  first:',
      '    container: {image: alpine, cmds: [echo 1]}',
      'alpha:',
      '  runs-if: always',
      '  only:',
      '    kubectl: {file: deploy.yaml}',
    ].join('\n'));
    assert.deepEqual(errors, []);
    assert.deepEqual(definition.stages.map((s) => [s.name, s.runsIf, s.steps.map((st) => st.name)]), [
      ['zeta', 'success', ['second', 'first']],
      ['alpha', 'always', ['only']],
    ]);
    assert.deepEqual(definition.stages[0]!.steps[0]!.fields, { image: 'alpine', cmds: ['echo 2'], os: 'linux', shell: '/bin/sh', serviceAccount: 'default' });
    assert.equal(definition.stages[1]!.steps[0]!.fields.action, 'apply');
  });

  it('reports every error at once, each with line, column and scope', () => {
    const errors = errorsOf([
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
      '    docker: {file: Dockerfile, destination: r/app, tag: 1.0}',
      'empty: {}',
    ].join('\n'));
    assert.deepEqual(errors, [
      '.wharf-ci.yml:4:24 build/environments: unknown environment \'qa\'',
      '.wharf-ci.yml:5:12 build/runs-if: runs-if must be one of success, fail, always, got "sometimes"',
      '.wharf-ci.yml:7:5 build/compile/container/image: missing required field',
      '.wharf-ci.yml:11:5 build/both: a step has exactly one step type, got container and kubectl',
      '.wharf-ci.yml:13:5 build/odd/teleport: unknown step type \'teleport\' (expected one of container, docker, helm, helm-package, kubectl, nuget-package)',
      '.wharf-ci.yml:15:57 build/typed/docker/tag: expected a string, got a float',
      '.wharf-ci.yml:16:8 empty: empty stage: a stage needs at least one step',
    ]);
  });

  it('reports YAML syntax errors and duplicate keys with their positions', () => {
    assert.match(errorsOf('build:\n  a: [unclosed\n')[0]!, /^\.wharf-ci\.yml:\d+:\d+ .+/);
    const dup = errorsOf('build:\n  a:\n    container: {image: x, cmds: [y]}\n  a:\n    container: {image: x, cmds: [y]}\n');
    assert.ok(dup.some((e) => /^\.wharf-ci\.yml:4:3 .*unique/i.test(e)), dup.join('\n'));
  });

  it('rejects names that cannot become Kubernetes names, and names that collide once converted', () => {
    const errors = errorsOf('"b@d":\n  "My Step":\n    container: {image: x, cmds: [y]}\n  my-step:\n    container: {image: x, cmds: [y]}\n');
    assert.deepEqual(errors, [
      ".wharf-ci.yml:1:1 b@d: stage name 'b@d' cannot become a Kubernetes name (use letters, digits, '-', '_' or '.')",
      ".wharf-ci.yml:4:3 b@d/my-step: step names 'My Step' and 'my-step' become the same Kubernetes name 'my-step'",
    ]);
  });

  it('validates inputs', () => {
    const errors = errorsOf([
      'inputs:',
      '  - {name: a, type: string, default: x}',
      '  - {name: b, type: colour}',
      '  - {name: c, type: choice, values: [x, y], default: z}',
      '  - {name: a, type: string}',
      '  - {type: number}',
      'build:',
      '  s:',
      '    container: {image: x, cmds: [y]}',
    ].join('\n'));
    assert.deepEqual(errors, [
      '.wharf-ci.yml:3:21 inputs/b/type: input type must be one of string, choice, number, password, got "colour"',
      '.wharf-ci.yml:4:54 inputs/c/default: default "z" is not one of the values',
      '.wharf-ci.yml:5:12 inputs/a/name: duplicate input name \'a\'',
      '.wharf-ci.yml:6:5 inputs/4/name: missing required field',
    ]);
  });

  it('resolves anchors, aliases and merge keys', () => {
    const { definition, errors } = parseDefinition(F, [
      '.base: &base {image: alpine, shell: /bin/bash}',
      'build:',
      '  a:',
      '    container:',
      '      <<: *base',
      '      cmds: [echo a]',
      '  b:',
      '    container:',
      '      <<: *base',
      '      image: busybox',
      '      cmds: &cmds [echo b]',
      '  c:',
      '    container: {image: x, cmds: *cmds}',
    ].join('\n'));
    // A top-level key is a stage in Wharf's format, so the anchor's holder is judged as one.
    assert.ok(errors.every((e) => e.path.startsWith('.base')), errors.map(formatError).join('\n'));
    const build = definition.stages.find((s) => s.name === 'build')!;
    assert.deepEqual(build.steps.map((s) => [s.fields.image, s.fields.shell, s.fields.cmds]), [
      ['alpine', '/bin/bash', ['echo a']],
      ['busybox', '/bin/bash', ['echo b']],
      ['x', '/bin/sh', ['echo b']],
    ]);
  });

  it('substitutes variables into step fields, keeping types and checking them', () => {
    const lookup = layeredLookup([{ img: 'alpine:3', verbose: true, n: 2 }]);
    const { definition, errors } = parseDefinition(F, [
      'build:',
      '  s:',
      '    container: {image: "${img}", cmds: ["echo ${n} ${%n%}"]}',
      '  d:',
      '    docker: {file: Dockerfile, destination: r/app, push: "${verbose}", tag: "${n}"}',
    ].join('\n'), () => lookup);
    assert.deepEqual(errors.map(formatError), ['.wharf-ci.yml:5:77 build/d/docker/tag: expected a string, got a string holding a number']);
    assert.equal(definition.stages[0]!.steps[0]!.fields.image, 'alpine:3');
    assert.deepEqual(definition.stages[0]!.steps[0]!.fields.cmds, ['echo 2 ${n}']);
    assert.equal(definition.stages[0]!.steps[1]!.fields.push, true);
  });
});
