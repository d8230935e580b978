// Cases derived from wharf-cmd's pkg/steps code (it has no tests of its own): each step
// type's required fields, defaults, and the pod fields they become.
import assert from 'node:assert/strict';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { StepPlan } from '../../../src/pod/step-plan.ts';
import type { VarValue } from '../../../src/varsub/substitute.ts';
import { BUILTINS, from, parse, plan } from './compat-support.ts';

const stepOf = (type: string, fields: string, vars: Record<string, VarValue> = BUILTINS): StepPlan => {
  const result = plan(`s:\n  my-step:\n    ${type}: {${fields}}\n`, { vars });
  assert.ok('plan' in result, JSON.stringify(result));
  return result.plan.stages[0]!.steps[0]!;
};
const main = (pod: V1Pod): V1Container => pod.spec!.containers[0]!;
const errorsOf = (type: string, fields: string, vars: Record<string, VarValue> = BUILTINS): string[] =>
  parse(`s:\n  my-step:\n    ${type}: {${fields}}\n`, vars).messages;

describe('wharf-cmd compatibility: pkg/steps', () => {
  describe('required fields (ValidateRequiredString / ValidateRequiredSlice)', () => {
    const cases: { code: string; type: string; fields: string; missing: string[] }[] = [
      { code: 'container.go init', type: 'container', fields: '', missing: ['image', 'cmds'] },
      {
        code: 'container.go init (empty values)',
        type: 'container',
        fields: 'image: "", cmds: []',
        missing: ['image', 'cmds'],
      },
      { code: 'docker.go init', type: 'docker', fields: 'destination: d', missing: ['file', 'tag'] },
      { code: 'helm.go init', type: 'helm', fields: '', missing: ['chart', 'name', 'namespace'] },
      { code: 'kubectl.go init (file unless files)', type: 'kubectl', fields: '', missing: ['file'] },
      { code: 'nugetpackage.go init', type: 'nuget-package', fields: '', missing: ['version', 'project-path', 'repo'] },
    ];
    for (const c of cases) {
      it(from(`steps/${c.code}`, `${c.type} requires ${c.missing.join(', ')}`), () => {
        const errors = errorsOf(c.type, c.fields);
        for (const field of c.missing)
          assert.ok(
            errors.some((e) => e.includes(`s/my-step/${c.type}/${field}: missing required field`)),
            errors.join('\n'),
          );
      });
    }
    it(from('steps/kubectl.go init', 'files alone is enough'), () =>
      assert.deepEqual(errorsOf('kubectl', 'files: [a.yaml]'), []),
    );
    it(from('steps/helmpackage.go init', 'helm-package has no required field'), () =>
      assert.deepEqual(errorsOf('helm-package', ''), []),
    );
  });

  describe('defaults', () => {
    it(from('steps/container.go init', 'os linux, shell /bin/sh, service account default'), () => {
      const step = stepOf('container', 'image: alpine, cmds: [a, b]');
      assert.deepEqual(step.exec.command, ['/bin/sh', '-c', 'a\nb']);
      assert.equal(step.pod.spec!.serviceAccountName, 'default');
      assert.equal(main(step.pod).imagePullPolicy, 'Always');
    });
    it(
      from('steps/docker.go init', 'destination REG_URL/REPO_GROUP/REPO_NAME when the step is named as the repository'),
      () => {
        const result = plan('s:\n  wharf-cmd:\n    docker: {file: Dockerfile, tag: v1}\n', { vars: BUILTINS });
        assert.ok('plan' in result, JSON.stringify(result));
        assert.ok(
          result.plan.stages[0]!.steps[0]!.exec.command.includes('http://harbor.example.com/iver-wharf/wharf-cmd:v1'),
        );
      },
    );
    it(
      from(
        'steps/docker.go init',
        'destination REG_URL/REPO_GROUP/REPO_NAME/name otherwise; registry and group override',
      ),
      () => {
        assert.ok(
          stepOf('docker', 'file: Dockerfile, tag: v1').exec.command.includes(
            'http://harbor.example.com/iver-wharf/wharf-cmd/my-step:v1',
          ),
        );
        assert.ok(
          stepOf('docker', 'file: Dockerfile, tag: v1, registry: r.io, group: g, name: n').exec.command.includes(
            'r.io/g/wharf-cmd/n:v1',
          ),
        );
      },
    );
    it(from('steps/docker.go init', 'missing built-ins for the destination are errors'), () => {
      assert.deepEqual(errorsOf('docker', 'file: D, tag: v', {}), [
        ".wharf-ci.yml:3:5 s/my-step/docker/destination: eval 'destination' default: missing built-in var: need REG_URL",
        ".wharf-ci.yml:3:5 s/my-step/docker/destination: eval 'destination' default: missing built-in var: need REPO_GROUP",
        ".wharf-ci.yml:3:5 s/my-step/docker/destination: eval 'destination' default: missing built-in var: need REPO_NAME",
      ]);
    });
    const secretCases: { name: string; fields: string; vars: Record<string, string>; secret: string }[] = [
      {
        name: 'secret defaults to gitlab-registry, REG_SECRET absent is fine',
        fields: '',
        vars: {},
        secret: 'gitlab-registry',
      },
      { name: 'REG_SECRET looked up', fields: '', vars: { REG_SECRET: 'from-var' }, secret: 'from-var' },
      {
        name: 'an explicit secret overrides',
        fields: ', secret: mine',
        vars: { REG_SECRET: 'from-var' },
        secret: 'mine',
      },
    ];
    for (const c of secretCases) {
      it(from('steps/docker.go init (secret, REG_SECRET)', c.name), () => {
        const step = stepOf('docker', `file: D, tag: v${c.fields}`, { ...BUILTINS, ...c.vars });
        const volume = step.pod.spec!.volumes!.find((v) => v.name === 'docker-secrets');
        assert.equal(volume?.projected?.sources?.[0]?.secret?.name, c.secret);
        assert.ok(
          main(step.pod).volumeMounts!.some((m) => m.name === 'docker-secrets' && m.mountPath === '/kaniko/.docker'),
        );
      });
    }
    it(from('steps/docker.go init', 'push defaults to true; push: false adds --no-push'), () => {
      assert.ok(!stepOf('docker', 'file: D, tag: v').exec.command.includes('--no-push'));
      assert.ok(stepOf('docker', 'file: D, tag: v, push: false').exec.command.includes('--no-push'));
    });
    it(from('steps/docker.go init', 'append-cert defaults on when REPO_GROUP starts with "default"'), () => {
      const { definition } = parse('s:\n  x:\n    docker: {file: D, tag: v}\n', {
        ...BUILTINS,
        REPO_GROUP: 'Default-team',
      });
      assert.equal(definition.stages[0]!.steps[0]!.fields['append-cert'], true);
      const other = parse('s:\n  x:\n    docker: {file: D, tag: v}\n', BUILTINS);
      assert.equal(other.definition.stages[0]!.steps[0]!.fields['append-cert'], false);
    });
    it(
      from(
        'steps/helm.go init',
        'repo CHART_REPO/REPO_GROUP, cluster kubectl-config, helmVersion v2.14.1; repo "stage" is the stable charts',
      ),
      () => {
        const step = stepOf('helm', 'chart: c, name: n, namespace: ns');
        assert.deepEqual(step.exec.command.slice(0, 9), [
          'helm',
          'upgrade',
          '--install',
          'n',
          'c',
          '--repo',
          'http://harbor.example.com/iver-wharf',
          '--namespace',
          'ns',
        ]);
        assert.equal(main(step.pod).image, 'docker.io/wharfse/helm:v2.14.1');
        assert.equal(step.pod.spec!.volumes!.find((v) => v.name === 'kubeconfig')?.configMap?.name, 'kubectl-config');
        assert.ok(
          stepOf('helm', 'chart: c, name: n, namespace: ns, repo: stage').exec.command.includes(
            'https://kubernetes-charts.storage.googleapis.com',
          ),
        );
      },
    );
    it(from('steps/helm.go init', 'missing CHART_REPO/REPO_GROUP for the repo default are errors'), () => {
      assert.deepEqual(errorsOf('helm', 'chart: c, name: n, namespace: ns', {}), [
        ".wharf-ci.yml:3:5 s/my-step/helm/repo: eval 'repo' default: missing built-in var: need CHART_REPO",
        ".wharf-ci.yml:3:5 s/my-step/helm/repo: eval 'repo' default: missing built-in var: need REPO_GROUP",
      ]);
    });
    it(from('steps/helmpackage.go init', 'destination CHART_REPO/REPO_GROUP'), () => {
      const env = main(stepOf('helm-package', 'chart-path: c').pod).env!;
      assert.deepEqual(env.find((e) => e.name === 'CHART_REPO')?.value, 'http://harbor.example.com/iver-wharf');
      assert.deepEqual(env.find((e) => e.name === 'CHART_PATH')?.value, 'c');
    });
    it(from('steps/kubectl.go init', 'action apply, cluster kubectl-config, files then file'), () => {
      const step = stepOf('kubectl', 'file: a.yaml, files: [b.yaml], namespace: ns, force: true');
      assert.deepEqual(step.exec.command, [
        'kubectl',
        'apply',
        '--namespace',
        'ns',
        '--filename',
        'b.yaml',
        '--filename',
        'a.yaml',
        '--force',
      ]);
      assert.equal(step.pod.spec!.volumes!.find((v) => v.name === 'kubeconfig')?.configMap?.name, 'kubectl-config');
    });
  });

  describe('secrets', () => {
    const helmSecretCases: { type: string; fields: string; vars: Record<string, string>; secret: string | null }[] = [
      { type: 'helm', fields: 'chart: c, name: n, namespace: ns', vars: {}, secret: null },
      {
        type: 'helm',
        fields: 'chart: c, name: n, namespace: ns',
        vars: { HELM_REG_SECRET: 'from-var' },
        secret: 'from-var',
      },
      {
        type: 'helm',
        fields: 'chart: c, name: n, namespace: ns, secret: mine',
        vars: { HELM_REG_SECRET: 'from-var' },
        secret: 'mine',
      },
      { type: 'helm-package', fields: '', vars: { HELM_REG_SECRET: 'from-var' }, secret: 'from-var' },
      { type: 'helm-package', fields: 'secret: mine', vars: {}, secret: 'mine' },
    ];
    for (const c of helmSecretCases) {
      it(
        from(
          `steps/${c.type === 'helm' ? 'helm.go' : 'helmpackage.go'} (secret, HELM_REG_SECRET, addHelmSecretVolume)`,
          `${c.type} ${c.fields || '(no fields)'} with ${JSON.stringify(c.vars)}`,
        ),
        () => {
          const step = stepOf(c.type, c.fields, { ...BUILTINS, ...c.vars });
          const volume = step.pod.spec!.volumes!.find((v) => v.name === 'helm-secrets');
          const env = main(step.pod).env ?? [];
          if (c.secret === null) {
            assert.equal(volume, undefined);
            assert.ok(!env.some((e) => e.name === 'HELM_REGISTRY_CONFIG'));
            return;
          }
          assert.equal(volume?.projected?.sources?.[0]?.secret?.name, c.secret);
          assert.ok(main(step.pod).volumeMounts!.some((m) => m.name === 'helm-secrets'));
          assert.deepEqual(
            env.find((e) => e.name === 'HELM_REGISTRY_CONFIG')?.value,
            '/root/.config/helm/registry/config.json',
          );
        },
      );
    }
    it(
      from(
        'steps/container.go applyStep (secretName)',
        'environment from wharf-<instance>-project-<PROJECT_ID>-secretname-<name>',
      ),
      () => {
        const step = stepOf('container', 'image: a, cmds: [b], secretName: creds', { ...BUILTINS, PROJECT_ID: '12' });
        assert.deepEqual(main(step.pod).envFrom, [{ secretRef: { name: 'wharf-local-project-12-secretname-creds' } }]);
        assert.deepEqual(errorsOf('container', 'image: a, cmds: [b], secretName: creds'), [
          '.wharf-ci.yml:3:50 s/my-step/container/secretName: missing built-in var: need PROJECT_ID (the Secret is named wharf-<instance>-project-<PROJECT_ID>-secretname-creds)',
        ]);
      },
    );
    it(
      from(
        'steps/docker.go applyStepDocker (secretName, secretArgs)',
        'build args from the project Secret, by name only, optional',
      ),
      () => {
        const step = stepOf('docker', 'file: D, tag: v, secretName: s, secretArgs: [TOKEN=token]', {
          ...BUILTINS,
          PROJECT_ID: '12',
          WHARF_INSTANCE: 'prod',
        });
        assert.deepEqual(main(step.pod).env, [
          {
            name: 'TOKEN',
            valueFrom: { secretKeyRef: { name: 'wharf-prod-project-12-secretname-s', key: 'token', optional: true } },
          },
        ]);
        const args = step.exec.command;
        assert.equal(args[args.lastIndexOf('--build-arg') + 1], 'TOKEN');
      },
    );
  });

  it(from('steps/container.go applyStep (os windows)', 'deliberately refused: steps run through a POSIX shell'), () => {
    assert.deepEqual(errorsOf('container', 'image: a, cmds: [b], os: windows'), [
      ".wharf-ci.yml:3:42 s/my-step/container/os: os 'windows' is not supported: steps run through a POSIX shell on Linux nodes",
    ]);
  });
});
