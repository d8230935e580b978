// Golden files pin the exact pod of every step type and option: any change to a pod shows
// in review. Regenerate with UPDATE_GOLDEN=1 after a deliberate change, and read the diff.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { formatError } from '../../../src/yaml/definition-error.ts';
import { parseDefinition } from '../../../src/definition/parse-definition.ts';
import type { StepDefinition } from '../../../src/definition/types.ts';
import { labelValue, podName } from '../../../src/pod/pod-name.ts';
import { translateStep, type TranslateContext } from '../../../src/pod/translate-step.ts';
import { layeredLookup } from '../../../src/varsub/substitute.ts';

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));

const DEFINITION = `
all:
  container:
    container: {image: "alpine:3", cmds: [cd sub, "export X=1", echo $X]}
  container-options:
    container: {image: "node:22", cmds: [npm ci, npm test], shell: /bin/bash, secretName: app-secrets, serviceAccount: builder, certificatesMountPath: /usr/local/share/ca-certificates}
  docker:
    docker: {file: Dockerfile, tag: "\${GIT_TAG}, latest"}
  docker-options:
    docker: {file: build/Dockerfile, context: build, tag: "1.2.3", destination: registry.example.com/team/web, push: false, args: ["A=1"], secretName: build-secrets, secretArgs: ["NPM_TOKEN=npm-token"]}
  helm:
    helm: {chart: app, name: my-app, namespace: prod, chartVersion: 1.2.3, set: {image.tag: "1.2.3"}, files: [values-prod.yaml], cluster: prod-kubeconfig}
  helm-package:
    helm-package: {chart-path: charts/app, version: 1.2.3}
  kubectl:
    kubectl: {file: deploy.yaml, files: [svc.yaml], namespace: prod, action: replace, force: true}
  nuget-package:
    nuget-package: {version: 1.2.3, project-path: src/Lib.csproj, repo: https://nuget.example.com/v3, skip-duplicate: true, certificatesMountPath: /certs}
`;

const BUILTINS = {
  GIT_TAG: 'v1',
  REPO_NAME: 'app',
  REPO_GROUP: 'team',
  REG_URL: 'registry.example.com',
  CHART_REPO: 'https://charts.example.com',
  REG_SECRET: 'registry-credentials',
  PROJECT_ID: '42',
  REG_INSECURE: true,
  REG_USER: 'robot',
  REG_PASS: 'chart-pass',
  HELM_REG_SECRET: 'chart-credentials',
};
const CONTEXT: TranslateContext = {
  buildId: 'b-20261124-1200-abcd',
  stage: 'all',
  activeDeadlineSeconds: 3600,
  secrets: [],
};

function stepsOf(text: string, vars: Record<string, string | boolean> = BUILTINS): StepDefinition[] {
  const { definition, errors } = parseDefinition('.wharf-ci.yml', text, () => layeredLookup([vars]));
  assert.deepEqual(errors.map(formatError), []);
  return definition.stages.flatMap((s) => s.steps);
}

describe('step to pod translation', () => {
  for (const step of stepsOf(DEFINITION)) {
    it(`pins the pod of the ${step.name} step`, () => {
      const text = stringify(translateStep(step, CONTEXT), { lineWidth: 0 });
      const file = `${GOLDEN}${step.name}.yaml`;
      if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, text);
      assert.equal(text, readFileSync(file, 'utf8'));
    });
  }

  it("runs a container step's cmds as one script in its shell, without set -e", () => {
    const [step] = stepsOf(
      'a:\n  s:\n    container: {image: x, cmds: [cd sub, "export X=1", "false", echo $X], shell: /bin/bash}\n',
    );
    const plan = translateStep(step!, CONTEXT);
    assert.deepEqual(plan.exec, {
      container: 'step',
      command: ['/bin/bash', '-c', 'cd sub\nexport X=1\nfalse\necho $X'],
      shell: '/bin/bash',
    });
    assert.deepEqual(plan.pod.spec?.containers[0]?.command, [
      '/bin/bash',
      '-c',
      "trap 'exit 0' TERM INT; sleep 3600 & wait",
    ]);
  });

  it('gives docker steps a sidecar for the source, since kaniko has no /bin/sh', () => {
    const [step] = stepsOf('a:\n  s:\n    docker: {file: Dockerfile, tag: v1}\n');
    const plan = translateStep(step!, CONTEXT);
    assert.deepEqual(plan.source, { container: 'source', path: '/mnt/repo' });
    assert.deepEqual(
      plan.pod.spec?.containers.map((c) => [c.name, c.image, c.command?.[0]]),
      [
        ['step', 'gcr.io/kaniko-project/executor:v1.23.2-debug', '/busybox/sh'],
        ['source', 'alpine:3', '/bin/sh'],
      ],
    );
    assert.equal(plan.exec.shell, '/busybox/sh');
  });

  it('defaults the docker destination as wharf-cmd: registry/group/repo, plus /name unless name is the repo', () => {
    const dest = (text: string): string => translateStep(stepsOf(text)[0]!, CONTEXT).exec.command.at(-1) ?? '';
    assert.equal(dest('a:\n  app:\n    docker: {file: D, tag: v1}\n'), 'registry.example.com/team/app:v1');
    assert.equal(dest('a:\n  web:\n    docker: {file: D, tag: v1}\n'), 'registry.example.com/team/app/web:v1');
    assert.equal(
      dest('a:\n  web:\n    docker: {file: D, tag: v1, name: app, group: other, registry: r.io}\n'),
      'r.io/other/app:v1',
    );
  });

  it('gives helm and kubectl steps only their files, with variables to substitute', () => {
    const [helm, kubectl] = stepsOf(
      'a:\n  h:\n    helm: {chart: c, name: n, namespace: ns, files: [v.yaml]}\n  k:\n    kubectl: {file: d.yaml, files: [s.yaml]}\n',
    );
    const ctx = { ...CONTEXT, fileVariables: { who: 'me' } };
    assert.deepEqual(translateStep(helm!, ctx).source, {
      container: 'step',
      path: '/mnt/repo',
      onlyFiles: ['v.yaml'],
      variables: { who: 'me' },
    });
    assert.deepEqual(translateStep(kubectl!, ctx).source, {
      container: 'step',
      path: '/mnt/repo',
      onlyFiles: ['s.yaml', 'd.yaml'],
      variables: { who: 'me' },
    });
  });

  it('masks the chart registry password and gives password inputs from a Secret', () => {
    const [helm] = stepsOf('a:\n  h:\n    helm: {chart: c, name: n, namespace: ns}\n');
    const plan = translateStep(helm!, {
      ...CONTEXT,
      secrets: ['s3cret'],
      passwordEnv: { secretName: 'b-inputs', names: ['WHARF_SECRET_TOKEN'] },
    });
    assert.deepEqual(plan.secrets, ['s3cret', 'chart-pass']);
    assert.equal(plan.secretName, 'b-inputs');
    assert.deepEqual(plan.pod.spec?.containers[0]?.env, [
      { name: 'HELM_REGISTRY_CONFIG', value: '/root/.config/helm/registry/config.json' },
      { name: 'WHARF_SECRET_TOKEN', valueFrom: { secretKeyRef: { name: 'b-inputs', key: 'WHARF_SECRET_TOKEN' } } },
    ]);
  });

  it('sets resources only when asked (wharf-cmd sets none)', () => {
    const [step] = stepsOf('a:\n  s:\n    container: {image: x, cmds: [y]}\n');
    assert.equal(translateStep(step!, CONTEXT).pod.spec?.containers[0]?.resources, undefined);
    const resources = { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } };
    assert.deepEqual(translateStep(step!, { ...CONTEXT, resources }).pod.spec?.containers[0]?.resources, resources);
  });

  it('makes pod names valid, deterministic and unique per build even when cut', () => {
    const long = 'x'.repeat(80);
    const a = podName('build-1', long, 'step-a');
    const b = podName('build-1', long, 'step-b');
    assert.equal(a.length, 63);
    assert.match(a, /^wharf-build-1-x+-[0-9a-f]{8}$/);
    assert.notEqual(a, b);
    assert.equal(a, podName('build-1', long, 'step-a'));
    assert.match(a, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    assert.match(podName('B-1', 'My Stage', 'Step_1'), /^wharf-b-1-my-stage-step-1-[0-9a-f]{8}$/);
    assert.notEqual(podName('b', 'a-b', 'c'), podName('b', 'a', 'b-c'), 'names that join the same way differ');
  });

  it('sanitizes label values and keeps the names in annotations', () => {
    assert.equal(labelValue('My Stage/01'), 'My-Stage-01');
    assert.equal(labelValue(`-${'y'.repeat(70)}`).length, 63);
    const [step] = stepsOf('"Build It":\n  "Step One":\n    container: {image: x, cmds: [y]}\n');
    const pod = translateStep(step!, { ...CONTEXT, stage: 'Build It' }).pod;
    assert.equal(pod.metadata?.labels?.['wharf-temporal/stage'], 'Build-It');
    assert.equal(pod.metadata?.annotations?.['wharf-temporal/step'], 'Step One');
  });
});
