// Step type rules after wharf-cmd's pkg/steps: defaults from built-in variables (missing
// ones are errors), fields that must come together, and the defaults of every type.
import assert from 'node:assert/strict';
import { formatError } from '../../../src/yaml/definition-error.ts';
import { parseDefinition } from '../../../src/definition/parse-definition.ts';
import { layeredLookup, type VarValue } from '../../../src/varsub/substitute.ts';

function parse(step: string, vars: Record<string, VarValue> = {}) {
  const { definition, errors } = parseDefinition('f.yml', `b:\n  s:\n    ${step}\n`, () => layeredLookup([vars]));
  return { step: definition.stages[0]?.steps[0], errors: errors.map(formatError) };
}

describe('step type rules', () => {
  it('requires REG_URL, REPO_GROUP and REPO_NAME for a docker default destination', () => {
    assert.deepEqual(parse('docker: {file: D, tag: v1}').errors, [
      "f.yml:3:5 b/s/docker/destination: eval 'destination' default: missing built-in var: need REG_URL",
      "f.yml:3:5 b/s/docker/destination: eval 'destination' default: missing built-in var: need REPO_GROUP",
      "f.yml:3:5 b/s/docker/destination: eval 'destination' default: missing built-in var: need REPO_NAME",
    ]);
    const { step, errors } = parse('docker: {file: D, tag: v1, push: false}', {
      REG_URL: 'r.io',
      REPO_GROUP: 'Default-Team',
      REPO_NAME: 's',
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(step!.fields, {
      file: 'D',
      tag: 'v1',
      push: false,
      context: '',
      secret: 'gitlab-registry',
      args: [],
      secretArgs: [],
      name: 's',
      destination: 'r.io/Default-Team/s',
      'append-cert': true,
    });
  });

  it('checks docker secret arguments and tags', () => {
    assert.deepEqual(
      parse('docker: {file: D, tag: " , ", destination: d, push: false, secretArgs: [A, =k, "B=", C=k]}').errors,
      [
        'f.yml:3:28 b/s/docker/tag: tags field resolved to zero tags',
        "f.yml:3:76 b/s/docker/secretArgs: invalid secret format: missing '=', expected 'ARG=secret-key': \"A\"",
        "f.yml:3:76 b/s/docker/secretArgs: invalid secret format: empty 'ARG', expected 'ARG=secret-key': \"=k\"",
        "f.yml:3:76 b/s/docker/secretArgs: invalid secret format: empty 'secret-key', expected 'ARG=secret-key': \"B=\"",
        'f.yml:3:76 b/s/docker/secretArgs: found secretArgs but is missing secretName',
      ],
    );
    assert.deepEqual(parse('docker: {file: D, tag: v, destination: d, push: false, secretName: s}').errors, [
      'f.yml:3:72 b/s/docker/secretName: found secretName but is missing secretArgs',
    ]);
  });

  it('reads the built-ins a step type uses, checking their types', () => {
    const { step } = parse('docker: {file: D, tag: v, destination: d}', { REG_SECRET: 'regcred', REG_INSECURE: true });
    assert.deepEqual(step!.builtins, { REG_INSECURE: true });
    assert.equal(step!.fields.secret, 'regcred');
    assert.deepEqual(
      parse('docker: {file: D, tag: v, destination: d}', { REG_SECRET: 'x', REG_INSECURE: 'yes' }).errors,
      ['f.yml:3:5 b/s/docker: built-in var REG_INSECURE must be a boolean, got string'],
    );
  });

  it('defaults the helm repo from CHART_REPO and REPO_GROUP, and reads "stage" as the old stable repo', () => {
    assert.deepEqual(parse('helm: {chart: c, name: n, namespace: ns}').errors, [
      "f.yml:3:5 b/s/helm/repo: eval 'repo' default: missing built-in var: need CHART_REPO",
      "f.yml:3:5 b/s/helm/repo: eval 'repo' default: missing built-in var: need REPO_GROUP",
    ]);
    assert.deepEqual(
      parse('helm: {chart: c, name: n, namespace: ns}', { CHART_REPO: 'https://c', REPO_GROUP: 'g' }).step!.fields,
      {
        chart: 'c',
        name: 'n',
        namespace: 'ns',
        repo: 'https://c/g',
        files: [],
        helmVersion: 'v2.14.1',
        cluster: 'kubectl-config',
      },
    );
    assert.equal(
      parse('helm: {chart: c, name: n, namespace: ns, repo: stage}').step!.fields.repo,
      'https://kubernetes-charts.storage.googleapis.com',
    );
    assert.deepEqual(parse('helm: {chart: c, name: n, namespace: ns, repo: r, set: {a: 1}}').errors, [
      'f.yml:3:64 b/s/helm/set.a: expected a string, got an integer',
    ]);
  });

  it('defaults the helm-package destination and secret from built-ins', () => {
    const { step, errors } = parse('helm-package: {}', {
      CHART_REPO: 'https://c',
      REPO_GROUP: 'g',
      HELM_REG_SECRET: 'hs',
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(step!.fields, { version: '', 'chart-path': '', destination: 'https://c/g', secret: 'hs' });
  });

  it('needs kubectl file or files', () => {
    assert.deepEqual(parse('kubectl: {files: []}').errors, [
      'f.yml:3:5 b/s/kubectl/file: missing required field (give file or files)',
    ]);
    assert.deepEqual(parse('kubectl: {files: [a.yml]}').errors, []);
  });

  it('defaults nuget-package and refuses windows containers (steps run through a POSIX shell)', () => {
    assert.deepEqual(parse('nuget-package: {version: "1", project-path: p, repo: r}').step!.fields, {
      version: '1',
      'project-path': 'p',
      repo: 'r',
      'skip-duplicate': false,
    });
    assert.deepEqual(parse('container: {image: x, cmds: [y], os: windows}').errors, [
      "f.yml:3:42 b/s/container/os: os 'windows' is not supported: steps run through a POSIX shell on Linux nodes",
    ]);
  });
});
