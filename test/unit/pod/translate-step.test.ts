// Golden files pin the exact pod of every step type: any change to a pod shows in review.
// Regenerate with UPDATE_GOLDEN=1 after a deliberate change.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { parseDefinition } from '../../../src/definition/parse-definition.ts';
import { podName } from '../../../src/pod/pod-name.ts';
import { translateStep } from '../../../src/pod/translate-step.ts';
import { layeredLookup } from '../../../src/varsub/substitute.ts';

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));

const DEFINITION = `
all:
  container:
    container: {image: "alpine:3", cmds: [cd sub, "export X=1", echo $X], secretName: app-secrets, serviceAccount: builder, certificatesMountPath: /certs}
  docker:
    docker: {file: build/Dockerfile, tag: "1.2.3,latest", args: ["A=1"], registry: registry.example.com, group: team, name: web, push: true, secretName: build-secrets, secretArgs: ["TOKEN=npm-token"]}
  helm:
    helm: {chart: app, name: my-app, namespace: prod, repo: https://charts.example.com, set: {image.tag: "1.2.3"}, files: [values-prod.yaml]}
  helm-package:
    helm-package: {chart-path: charts/app, version: 1.2.3, destination: https://charts.example.com/api}
  kubectl:
    kubectl: {file: deploy.yaml, files: [svc.yaml], namespace: prod, action: apply, force: true}
  nuget-package:
    nuget-package: {version: 1.2.3, project-path: src/Lib.csproj, repo: https://nuget.example.com/v3, skip-duplicate: true}
`;

describe('step to pod translation', () => {
  const { definition, errors } = parseDefinition('.wharf-ci.yml', DEFINITION, () => layeredLookup([{ GIT_TAG: 'v1', REPO_NAME: 'app', REPO_GROUP: 'team', CHART_REPO: 'https://charts' }]));

  it('parses the fixture', () => assert.deepEqual(errors, []));

  for (const step of definition.stages[0]?.steps ?? []) {
    it(`pins the pod of a ${step.type} step`, () => {
      const plan = translateStep(step, { buildId: 'b-20261124-1200-abcd', stage: 'all', activeDeadlineSeconds: 3600, secrets: [] });
      const text = stringify(plan, { lineWidth: 0 });
      const file = `${GOLDEN}${step.type}.yaml`;
      if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, text);
      assert.equal(text, readFileSync(file, 'utf8'));
    });
  }

  it('runs a container step\'s cmds as one script in its shell', () => {
    const step = definition.stages[0]!.steps[0]!;
    const plan = translateStep(step, { buildId: 'b', stage: 'all', activeDeadlineSeconds: 60, secrets: [] });
    assert.deepEqual(plan.exec.command, ['/bin/sh', '-c', 'cd sub\nexport X=1\necho $X']);
    assert.equal(plan.pod.spec?.serviceAccountName, 'builder');
    assert.deepEqual(plan.pod.spec?.containers[0]?.envFrom, [{ secretRef: { name: 'app-secrets' } }]);
  });

  it('makes pod names valid, deterministic and unique even when cut', () => {
    const long = 'x'.repeat(80);
    const a = podName('build-1', long, 'step-a');
    const b = podName('build-1', long, 'step-b');
    assert.ok(a.length <= 63 && b.length <= 63);
    assert.notEqual(a, b);
    assert.equal(a, podName('build-1', long, 'step-a'));
    assert.match(a, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    assert.equal(podName('B-1', 'My Stage', 'Step_1'), 'wharf-b-1-my-stage-step-1');
  });
});
