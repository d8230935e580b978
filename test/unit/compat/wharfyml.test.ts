// Cases from wharf-cmd's pkg/wharfyml tests, table-driven: parsing, positions and scopes of
// errors, inputs, environments and their filter, runs-if, stages, steps, step types.
import assert from 'node:assert/strict';
import { stageInEnvironment } from '../../../src/plan/make-plan.ts';
import { varsFilePaths } from '../../../src/varsub/vars-files.ts';
import type { VarValue } from '../../../src/varsub/substitute.ts';
import { F, from, parse as parseWith, plan as planWith } from './compat-support.ts';

/** parse_test.go testVarSource: the built-ins wharf-cmd's parser tests run with. */
const TEST_VAR_SOURCE: Record<string, VarValue> = {
  REPO_GROUP: 'iver-wharf',
  REPO_NAME: 'wharf-cmd',
  REG_URL: 'http://harbor.example.com',
  REG_SECRET: 'docker-secret',
  CHART_REPO: 'http://charts.example.com',
  REG_USER: 'admin',
  REG_PASS: 'nimda',
};
const parse = (text: string, vars: Record<string, VarValue> = TEST_VAR_SOURCE): ReturnType<typeof parseWith> =>
  parseWith(text, vars);
const plan = (text: string, options: Parameters<typeof planWith>[1] = {}): ReturnType<typeof planWith> =>
  planWith(text, { vars: TEST_VAR_SOURCE, ...options });

const HP = (name: string): string => `  ${name}:\n    helm-package: {}\n`;

describe('wharf-cmd compatibility: pkg/wharfyml', () => {
  describe('definition_test.go TestFilterStagesOnEnv', () => {
    const stages = (envs: Record<string, string[]>): { name: string; environments: string[] }[] =>
      Object.entries(envs).map(([name, environments]) => ({ name, environments }));
    const cases: { name: string; env: string | null; stages: Record<string, string[]>; want: string[] }[] = [
      // wharf-cmd's "with-empty-envs" ({Name: ""}) cannot be written: an empty environment name is an error here (see environments cases).
      {
        name: 'no filter skips all with env refs',
        env: null,
        stages: { 'with-envs': ['env1'], 'no-envs': [] },
        want: ['no-envs'],
      },
      {
        name: 'with filter includes without env refs',
        env: 'env1',
        stages: { 'no-envs1': [], 'no-envs2': [], 'no-envs3': [] },
        want: ['no-envs1', 'no-envs2', 'no-envs3'],
      },
      {
        name: 'with filter only includes matching stages',
        env: 'env1',
        stages: { 'with-env1': ['env1'], 'with-env2': ['env2'], 'with-env1-and-env2': ['env1', 'env2'] },
        want: ['with-env1', 'with-env1-and-env2'],
      },
    ];
    for (const c of cases) {
      it(from(`definition_test.go TestFilterStagesOnEnv/${c.name}`, 'the filter itself'), () => {
        assert.deepEqual(
          stages(c.stages)
            .filter((s) => stageInEnvironment(s.environments, c.env))
            .map((s) => s.name),
          c.want,
        );
      });
      it(
        from(`definition_test.go TestFilterStagesOnEnv/${c.name}`, 'through plan, which validate and run share'),
        () => {
          const text =
            'environments: {env1: {}, env2: {}}\n' +
            Object.entries(c.stages)
              .map(
                ([name, envs]) => `${name}:\n${envs.length ? `  environments: [${envs.join(', ')}]\n` : ''}${HP('s')}`,
              )
              .join('');
          const result = plan(text, { env: c.env });
          assert.ok('plan' in result, JSON.stringify(result));
          assert.deepEqual(
            result.plan.stages.map((s) => s.name),
            c.want,
          );
        },
      );
    }
  });

  describe('parse_test.go and parser_test.go', () => {
    it(from('parse_test.go TestParse_AcceptanceTest', 'inputs, environments, stages and steps as written'), () => {
      const text = `inputs:
  - {name: myStringVar, type: string, default: foo bar}
  - {name: myPasswordVar, type: password, default: supersecret}
  - {name: myNumberVar, type: number, default: 123}
  - {name: myChoiceVar, type: choice, default: A, values: [A, B, C]}
environments:
  myEnvA: {myString: foo bar, myUint: 123, myInt: -123, myFloat: 123.45, myBool: true}
  myEnvB: {myString: foo bar, myUint: 123, myInt: -123, myFloat: 123.45, myBool: true}
myStage1:
  environments: [myEnvA]
  myDockerStep:
    docker: {file: Dockerfile, tag: latest}
  myContainerStep:
    container: {image: alpine:latest, cmds: [echo hello]}
myStage2:
  environments: [myEnvA]
  myKubectlStep:
    kubectl: {file: deploy/pod.yaml}
`;
      const { definition, messages } = parse(text);
      assert.deepEqual(messages, []);
      assert.deepEqual(
        definition.inputs.map((i) => [i.name, i.type, i.default]),
        [
          ['myStringVar', 'string', 'foo bar'],
          ['myPasswordVar', 'password', 'supersecret'],
          ['myNumberVar', 'number', 123],
          ['myChoiceVar', 'choice', 'A'],
        ],
      );
      assert.deepEqual(definition.inputs[3]!.values, ['A', 'B', 'C']);
      for (const env of ['myEnvA', 'myEnvB'])
        assert.deepEqual(definition.environments[env], {
          myString: 'foo bar',
          myUint: 123,
          myInt: -123,
          myFloat: 123.45,
          myBool: true,
        });
      assert.deepEqual(
        definition.stages.map((s) => [s.name, s.environments, s.steps.map((st) => [st.name, st.type])]),
        [
          [
            'myStage1',
            ['myEnvA'],
            [
              ['myDockerStep', 'docker'],
              ['myContainerStep', 'container'],
            ],
          ],
          ['myStage2', ['myEnvA'], [['myKubectlStep', 'kubectl']]],
        ],
      );
      assert.deepEqual(
        [definition.stages[0]!.steps[0]!.fields.file, definition.stages[0]!.steps[0]!.fields.tag],
        ['Dockerfile', 'latest'],
      );
      assert.deepEqual(
        [definition.stages[0]!.steps[1]!.fields.image, definition.stages[0]!.steps[1]!.fields.cmds],
        ['alpine:latest', ['echo hello']],
      );
      assert.equal(definition.stages[1]!.steps[0]!.fields.file, 'deploy/pod.yaml');
      const planned = plan(text, { env: 'myEnvA' });
      assert.ok('plan' in planned);
      assert.deepEqual(
        planned.plan.stages.map((s) => s.name),
        ['myStage1', 'myStage2'],
      );
    });

    it(from('parse_test.go TestParse_SupportsTags', '!!str and !!int tags'), () => {
      const { definition, messages } = parse(
        'environments:\n  myEnv:\n    myStr: !!str 123\n    myInt: !!int 123\n' + 's:\n' + HP('x'),
      );
      assert.deepEqual(messages, []);
      assert.deepEqual(definition.environments.myEnv, { myStr: '123', myInt: 123 });
    });

    it(from('parse_test.go TestParse_SupportsAnchoringStages', 'a stage reused by an alias'), () => {
      const { definition, messages } = parse(
        'myStage1: &reused\n  myStep:\n    helm-package: {}\n\nmyStage2: *reused\n',
      );
      assert.deepEqual(messages, []);
      assert.deepEqual(
        definition.stages.map((s) => [s.name, s.steps.map((st) => st.type)]),
        [
          ['myStage1', ['helm-package']],
          ['myStage2', ['helm-package']],
        ],
      );
    });

    it(from('parse_test.go TestParse_SupportsMergingStages', 'a stage merged into another with <<'), () => {
      const { definition, messages } = parse(
        'myStage1: &reused\n  myStep:\n    helm-package: {}\n\nmyStage2:\n  <<: *reused\n  myOtherStep:\n    helm-package: {}\n',
      );
      assert.deepEqual(messages, []);
      assert.deepEqual(
        definition.stages.map((s) => [s.name, s.steps.length]),
        [
          ['myStage1', 1],
          ['myStage2', 2],
        ],
      );
    });

    for (const order of [
      ['A', 'B', 'C'],
      ['B', 'A', 'C'],
    ]) {
      it(
        from(
          `parse_test.go TestParse_PreservesStageOrder/${order.join('-')} (and parser_test.go)`,
          'stages in file order',
        ),
        () => {
          const { definition, messages } = parse(order.map((n) => `${n}:\n${HP('myStep')}`).join(''));
          assert.deepEqual(messages, []);
          assert.deepEqual(
            definition.stages.map((s) => s.name),
            order,
          );
        },
      );
      it(
        from(
          `parse_test.go TestParse_PreservesStepOrder/${order.join('-')} (and parser_test.go)`,
          'steps in file order',
        ),
        () => {
          const { definition, messages } = parse(`myStage:\n${order.map((n) => HP(n)).join('')}`);
          assert.deepEqual(messages, []);
          assert.deepEqual(
            definition.stages[0]!.steps.map((s) => s.name),
            order,
          );
        },
      );
    }

    const errorCases: { test: string; text: string; want: RegExp }[] = [
      {
        test: 'TestParse_TooManyDocs',
        text: '\na: 1\n---\nb: 2\n---\nc: 3\n',
        want: /^\.wharf-ci\.yml:3:1 only 1 document is allowed, found 3$/,
      },
      {
        test: 'TestParse_MissingDoc',
        text: '',
        want: /^\.wharf-ci\.yml:1:1 empty document: a build needs at least one stage$/,
      },
      {
        test: 'TestParse_ErrIfDocNotMap',
        text: '123',
        want: /^\.wharf-ci\.yml:1:1 the document must be a map of stages, got an integer$/,
      },
      {
        test: 'TestParse_ErrIfNonStringKey',
        text: '\n123: {}\n',
        want: /^\.wharf-ci\.yml:2:1 a stage name must be a string, got an integer$/,
      },
      {
        test: 'TestParse_ErrIfEmptyStageName',
        text: '\n"": {}\n',
        want: /^\.wharf-ci\.yml:2:1 stage name '' cannot become a Kubernetes name/,
      },
      {
        test: 'TestParse_ErrIfUseOfUnknownEnv',
        text: '\nmyStage:\n  environments: [myEnv]\n',
        want: /^\.wharf-ci\.yml:3:18 myStage\/environments\[0\]: use of undefined environment "myEnv"$/,
      },
    ];
    for (const c of errorCases) {
      it(from(`parse_test.go ${c.test} (and parser_test.go)`, `reports ${c.want.source.slice(0, 60)}`), () => {
        const { messages } = parse(c.text);
        assert.ok(
          messages.some((m) => c.want.test(m)),
          messages.join('\n'),
        );
      });
    }

    it(
      from(
        'parse_test.go TestParse_OneDocWithDocSeparator (and parser_test.go)',
        'one document after a separator is one document',
      ),
      () => {
        assert.ok(!parse('\n---\nc: 3\n').messages.some((m) => /only 1 document/.test(m)));
      },
    );

    const envVarSub = `environments:
  myEnv:
    myImage: ubuntu:latest
    myCmd: echo hello world
myStage:
  ENVS
  myStep:
    container:
      image: \${myImage}
      cmds:
        - \${myCmd}
`;
    const subCases = [
      { name: 'no env', env: null, envs: '', image: '${myImage}', cmd: '${myCmd}' },
      {
        name: 'with env',
        env: 'myEnv',
        envs: 'environments: [myEnv]',
        image: 'ubuntu:latest',
        cmd: 'echo hello world',
      },
    ];
    for (const c of subCases) {
      it(
        from(
          `parse_test.go TestParse_EnvVarSub/${c.name}`,
          'the chosen environment substitutes; undefined stays as written',
        ),
        () => {
          const result = plan(envVarSub.replace('ENVS', c.envs), { env: c.env });
          assert.ok('plan' in result, JSON.stringify(result));
          assert.equal(result.plan.stages.length, 1);
          const pod = result.plan.stages[0]!.steps[0]!;
          assert.equal(pod.pod.spec!.containers[0]!.image, c.image);
          assert.deepEqual(pod.exec.command, ['/bin/sh', '-c', c.cmd]);
        },
      );
    }
  });

  describe('environment_test.go', () => {
    const cases: {
      test: string;
      text: string;
      want: RegExp | null;
      check?: (d: ReturnType<typeof parse>['definition']) => void;
    }[] = [
      {
        test: 'TestParseDefEnvironments_ErrIfNotMap',
        text: 'environments: 123\n',
        want: /environments: expected a map of environments, got an integer/,
      },
      {
        test: 'TestParseDefEnvironments_ErrIfKeyNotString',
        text: 'environments:\n  123: {}\n',
        want: /environments\/123: an environment name must be a string, got an integer/,
      },
      {
        test: 'TestParseDefEnvironments_ErrIfKeyEmpty',
        text: 'environments:\n  "": {}\n',
        want: /environment name cannot be empty/,
      },
      {
        test: 'TestParseDefEnvironments_ValidMapOfEnvs',
        text: 'environments:\n  myEnv1: {}\n  myEnv2: {}\n  myEnv3: {}\n',
        want: null,
        check: (d) => assert.deepEqual(Object.keys(d.environments), ['myEnv1', 'myEnv2', 'myEnv3']),
      },
      {
        test: 'TestParseEnvironment_SetsName',
        text: 'environments:\n  myEnv: {}\n',
        want: null,
        check: (d) => assert.ok(Object.hasOwn(d.environments, 'myEnv')),
      },
      {
        test: 'TestParseEnvironment_ErrIfEnvNotMap',
        text: 'environments:\n  myEnv: 123\n',
        want: /environments\/myEnv: expected a map of variables, got an integer/,
      },
      {
        test: 'TestParseEnvironment_ErrIfInvalidVarType',
        text: 'environments:\n  myEnv:\n    myVar: [123]\n',
        want: /environments\/myEnv\/myVar: invalid environment variable type/,
      },
      {
        test: 'TestParseEnvironment_ValidVarTypes',
        text: 'environments:\n  myEnv:\n    myInt: -123\n    myUint: 123\n    myFloat: 456.789\n    myString: foo bar\n    myBool: true\n',
        want: null,
        check: (d) =>
          assert.deepEqual(d.environments.myEnv, {
            myInt: -123,
            myUint: 123,
            myFloat: 456.789,
            myString: 'foo bar',
            myBool: true,
          }),
      },
      {
        test: 'TestParseStageEnvironments_ErrIfNotArray',
        text: 'environments: {a: {}}\nst:\n  environments: 123\n' + HP('s'),
        want: /st\/environments: stage environments should be a list of environment names, got an integer/,
      },
      {
        test: 'TestParseStageEnvironments_Valid',
        text: 'environments: {a: {}, b: {}, c: {}}\nst:\n  environments: [a, b, c]\n' + HP('s'),
        want: null,
        check: (d) => assert.deepEqual(d.stages[0]!.environments, ['a', 'b', 'c']),
      },
      {
        test: '(varsub_test.go TestSubstitute_nonStrings full/nil: an environment variable without a value)',
        text: 'environments:\n  myEnv:\n    lorem:\n',
        want: null,
        check: (d) => assert.deepEqual(d.environments.myEnv, { lorem: null }),
      },
    ];
    for (const c of cases) {
      it(from(`environment_test.go ${c.test}`, c.want ? `reports ${c.want.source}` : 'reads it'), () => {
        const { definition, messages } = parse(
          c.text.includes('\nst:') || c.text.includes('\ns:') ? c.text : `${c.text}s:\n${HP('x')}`,
        );
        if (c.want)
          assert.ok(
            messages.some((m) => c.want!.test(m)),
            messages.join('\n'),
          );
        else assert.deepEqual(messages, []);
        c.check?.(definition);
      });
    }
  });

  describe('stage_test.go (visit)', () => {
    const cases: { test: string; stage: string; want: RegExp | null }[] = [
      {
        test: 'TestVisitStage_ErrIfNotMap',
        stage: '123',
        want: /^\.wharf-ci\.yml:1:10 myStage: expected a stage \(a map of steps\), got an integer$/,
      },
      {
        test: 'TestVisitStage_ErrIfEmptyMap',
        stage: '{}',
        want: /^\.wharf-ci\.yml:1:1 myStage: stage is missing steps$/,
      },
    ];
    for (const c of cases) {
      it(from(`stage_test.go ${c.test}`, 'reports it'), () => {
        const { messages } = parse(`myStage: ${c.stage}\n`);
        assert.ok(
          messages.some((m) => c.want!.test(m)),
          messages.join('\n'),
        );
      });
    }
    it(from('stage_test.go TestVisitStage_Name', 'names the stage by its key'), () => {
      assert.equal(parse(`myStage:\n${HP('s')}`).definition.stages[0]!.name, 'myStage');
    });
  });

  describe('builddefinition_test.go TestGetStageWithReplacement', () => {
    const text = `environments:
  stage: {namespace: stage, isProduction: false, cluster: stage-config, url: wharf.test.local}
  prod: {namespace: prod, isProduction: true, cluster: prod-config}
  dev: {namespace: wharf, isProduction: false, cluster: dev-config}
deploy:
  environments: [dev, stage, prod]
  wharf:
    helm:
      name: wharf-\${namespace}
      namespace: \${namespace}
      chart: wharf-helm
      chartVersion: 0.7.7
      repo: \${CHART_REPO}/tools
      files: ['deploy/wharf.yaml']
      cluster: \${cluster}
      helmVersion: v3.0.2
  postgres:
    kubectl:
      file: 'deploy/postgres.yml'
      namespace: \${namespace}
      cluster: \${cluster}
`;
    it(
      from('builddefinition_test.go TestGetStageWithReplacement', "the chosen environment's variables fill every step"),
      () => {
        const result = planWith(text, { env: 'stage', vars: {} });
        assert.ok('plan' in result, JSON.stringify(result));
        const [stage] = result.plan.stages;
        assert.equal(stage!.name, 'deploy');
        assert.equal(stage!.steps.length, 2);
        const [helm, kubectl] = stage!.steps;
        assert.deepEqual(helm!.exec.command.slice(0, 9), [
          'helm',
          'upgrade',
          '--install',
          'wharf-stage',
          'wharf-helm',
          '--repo',
          '${CHART_REPO}/tools',
          '--namespace',
          'stage',
        ]);
        assert.equal(helm!.pod.spec!.volumes!.find((v) => v.name === 'kubeconfig')?.configMap?.name, 'stage-config');
        assert.deepEqual(kubectl!.exec.command, [
          'kubectl',
          'apply',
          '--namespace',
          'stage',
          '--filename',
          'deploy/postgres.yml',
        ]);
        assert.equal(kubectl!.pod.spec!.volumes!.find((v) => v.name === 'kubeconfig')?.configMap?.name, 'stage-config');
      },
    );
    it(
      from('builddefinition_test.go TestGetStageWithReplacementInvalidEnv', 'an undefined environment is an error'),
      () => {
        const result = planWith(text, { env: 'test', vars: {} });
        assert.ok('errors' in result);
        assert.match(
          result.errors.map((e) => e.message).join('\n'),
          /use of undefined environment "test" \(given with --env; the file defines stage, prod, dev\)/,
        );
      },
    );
  });

  describe('stage_test.go', () => {
    it(from('stage_test.go TestParseStageEnvironments', 'a list of environment names'), () => {
      const { definition, messages } = parse(
        'environments: {dev: {}, stage: {}, prod: {}}\nst:\n  environments: [dev, stage, prod]\n' + HP('s'),
      );
      assert.deepEqual(messages, []);
      assert.deepEqual(definition.stages[0]!.environments, ['dev', 'stage', 'prod']);
    });
    it(from('stage_test.go TestParseStageEnvironmentsFails', 'a number in the list'), () => {
      const { messages } = parse('environments: {dev: {}, prod: {}}\nst:\n  environments: [dev, 1, prod]\n' + HP('s'));
      assert.deepEqual(messages, [
        '.wharf-ci.yml:3:23 st/environments[1]: stage environment element should be a string, got an integer',
      ]);
    });
  });

  describe('runsif_test.go', () => {
    const cases: { test: string; value: string; want: RegExp | null }[] = [
      {
        test: 'TestVisitRunsIf_ErrIfNotString',
        value: '123',
        want: /^\.wharf-ci\.yml:2:12 st\/runs-if: expected a string, got an integer$/,
      },
      {
        test: 'TestVisitRunsIf_ErrIfNotValidValue',
        value: 'badvalue',
        want: /st\/runs-if: invalid run condition: 'badvalue' must be one of 'always', 'success', or 'fail'/,
      },
      { test: 'TestVisitRunsIf_Success/success', value: 'success', want: null },
      { test: 'TestVisitRunsIf_Success/always', value: 'always', want: null },
      { test: 'TestVisitRunsIf_Success/fail', value: 'fail', want: null },
    ];
    for (const c of cases) {
      it(from(`runsif_test.go ${c.test}`, c.want ? 'reports it' : 'accepts it'), () => {
        const { definition, messages } = parse(`st:\n  runs-if: ${c.value}\n${HP('s')}`);
        if (c.want)
          assert.ok(
            messages.some((m) => c.want!.test(m)),
            messages.join('\n'),
          );
        else assert.deepEqual([messages, definition.stages[0]!.runsIf], [[], c.value]);
      });
    }
  });

  describe('step_test.go and steptype_test.go', () => {
    const cases: { test: string; step: string; want: RegExp | null }[] = [
      {
        test: 'step_test.go TestParseStep_ErrIfNotMap',
        step: '123',
        want: /^\.wharf-ci\.yml:2:11 st\/myStep: expected a step \(a map with one step type\), got an integer$/,
      },
      { test: 'step_test.go TestParseStep_ErrIfEmpty', step: '{}', want: /st\/myStep: missing a step type/ },
      {
        test: 'step_test.go TestParseStep_ErrIfMultipleStepTypes',
        step: '\n    container: {image: a, cmds: [b]}\n    docker: {file: D, tag: t, destination: d}',
        want: /st\/myStep: contains multiple step types: container, docker/,
      },
      { test: 'step_test.go TestParseStep_Name', step: '\n    helm-package: {}', want: null },
      {
        test: 'steptype_test.go TestParseStepType_ErrIfNotMap',
        step: '\n    container: 123',
        want: /st\/myStep\/container: expected the container step's fields \(a map\), got an integer/,
      },
      {
        test: 'steptype_test.go TestParseStepType_ErrIfInvalidField',
        step: '\n    container: {image: [123], cmds: [x]}',
        want: /st\/myStep\/container\/image: expected a string, got a list/,
      },
      {
        test: 'steptype_test.go TestParseStepType_ErrIfMissingRequiredField',
        step: '\n    container: {}',
        want: /st\/myStep\/container\/(image|cmds): missing required field/,
      },
    ];
    for (const c of cases) {
      it(from(c.test, c.want ? 'reports it, positioned and scoped' : 'names the step by its key'), () => {
        const { definition, messages } = parse(`st:\n  myStep: ${c.step}\n`);
        if (c.want)
          assert.ok(
            messages.some((m) => c.want!.test(m)),
            messages.join('\n'),
          );
        else assert.deepEqual([messages, definition.stages[0]!.steps[0]!.name], [[], 'myStep']);
      });
    }
  });

  describe('inputs_test.go', () => {
    const input = (body: string): string => `inputs:\n${body}\ns:\n${HP('x')}`;
    const errorCases: { test: string; text: string; want: RegExp }[] = [
      {
        test: 'TestParseDocInputs_ErrIfNotArray',
        text: 'inputs: 123\ns:\n' + HP('x'),
        want: /^\.wharf-ci\.yml:1:9 inputs: expected a list of inputs, got an integer$/,
      },
      {
        test: 'TestParseDocInputs_ErrIfNameCollision',
        text: input('- {name: myVar, type: string}\n- {name: myVar, type: string}'),
        want: /inputs\/1\/name: input variable name is already used: "myVar"/,
      },
      {
        test: 'TestParseInputType_ErrIfUnknownType',
        text: input('- {name: myVar, type: unvariable, default: foo bar}'),
        want: /inputs\/0\/type: unknown input type 'unvariable'/,
      },
      {
        test: 'TestParseInputType_ErrIfMissingRequiredFields/missing type',
        text: input('- {name: myVar, default: hello there}'),
        want: /inputs\/0\/type: missing required field/,
      },
      {
        test: 'TestParseInputType_ErrIfMissingRequiredFields/string missing name',
        text: input('- {type: string, default: hello there}'),
        want: /inputs\/0\/name: missing required field/,
      },
      {
        test: 'TestParseInputType_ErrIfMissingRequiredFields/password missing name',
        text: input('- {type: password, default: hello there}'),
        want: /inputs\/0\/name: missing required field/,
      },
      {
        test: 'TestParseInputType_ErrIfMissingRequiredFields/number missing name',
        text: input('- {type: number, default: 1234}'),
        want: /inputs\/0\/name: missing required field/,
      },
      {
        test: 'TestParseInputType_ErrIfMissingRequiredFields/choice missing name',
        text: input('- {type: choice, default: hello there, values: [hello there]}'),
        want: /inputs\/0\/name: missing required field/,
      },
      {
        test: 'TestParseInputType_ErrIfMissingRequiredFields/choice missing default',
        text: input('- {name: myVar, type: choice, values: [hello there]}'),
        want: /inputs\/0\/default: missing required field/,
      },
      {
        test: 'TestParseInputType_ErrIfMissingRequiredFields/choice missing values',
        text: input('- {name: myVar, type: choice, default: [hello there]}'),
        want: /inputs\/0\/values: missing required field/,
      },
      {
        test: 'TestParseInputChoice_ErrIfUndefinedDefaultValue',
        text: input('- {name: myVar, type: choice, default: optionF, values: [optionA, optionB, optionC]}'),
        want: /inputs\/0\/default: default value "optionF" is missing from values/,
      },
    ];
    for (const c of errorCases) {
      it(from(`inputs_test.go ${c.test}`, 'reports it'), () => {
        const { messages } = parse(c.text);
        assert.ok(
          messages.some((m) => c.want.test(m)),
          messages.join('\n'),
        );
      });
    }
    const valid: { name: string; body: string; want: [string, string, string | number, string[]] }[] = [
      {
        name: 'string',
        body: 'name: myVar\n  type: string\n  default: hello there',
        want: ['myVar', 'string', 'hello there', []],
      },
      {
        name: 'password',
        body: 'name: myVar\n  type: password\n  default: hello there',
        want: ['myVar', 'password', 'hello there', []],
      },
      {
        name: 'number int',
        body: 'name: myVar\n  type: number\n  default: 12345',
        want: ['myVar', 'number', 12345, []],
      },
      {
        name: 'number float',
        body: 'name: myVar\n  type: number\n  default: 123.45',
        want: ['myVar', 'number', 123.45, []],
      },
      {
        name: 'choice',
        body: 'name: myVar\n  type: choice\n  default: optionA\n  values: [optionA, optionB, optionC]',
        want: ['myVar', 'choice', 'optionA', ['optionA', 'optionB', 'optionC']],
      },
    ];
    for (const c of valid) {
      it(from(`inputs_test.go TestParseInputType_AllValid/${c.name}`, 'reads it, with its position'), () => {
        const { definition, messages } = parse(input(`- ${c.body}`));
        assert.deepEqual(messages, []);
        const [i] = definition.inputs;
        assert.deepEqual([i!.name, i!.type, i!.default, i!.values], c.want);
        assert.deepEqual(i!.at, { line: 2, column: 3 });
      });
    }
  });

  describe('builtins_test.go', () => {
    it(
      from('builtins_test.go TestListParentDirsPossibleBuiltinVarsFiles', "every parent folder's .wharf-vars.yml"),
      () => {
        // wharf-cmd lists them root first and lets later ones win; here nearest first, the first one winning: the same precedence.
        assert.deepEqual(varsFilePaths('/home/root/repos/my-repo', { HOME: '/home/root' }).slice(0, 5), [
          '/home/root/repos/my-repo/.wharf-vars.yml',
          '/home/root/repos/.wharf-vars.yml',
          '/home/root/.wharf-vars.yml',
          '/home/.wharf-vars.yml',
          '/.wharf-vars.yml',
        ]);
      },
    );
    it(from('builtins_test.go testVarSource', "the built-ins wharf-cmd's tests use fill the docker defaults"), () => {
      const { definition, messages } = parse('s:\n  wharf-cmd:\n    docker: {file: Dockerfile, tag: v1}\n', {
        REPO_GROUP: 'iver-wharf',
        REPO_NAME: 'wharf-cmd',
        REG_URL: 'http://harbor.example.com',
      });
      assert.deepEqual(messages, []);
      assert.equal(
        definition.stages[0]!.steps[0]!.fields.destination,
        'http://harbor.example.com/iver-wharf/wharf-cmd',
      );
    });
  });

  it(from('error.go / parse.go', 'errors are sorted by position, each with file, line, column and scope'), () => {
    const { messages } = parse('b:\n  s: {teleport: {}}\na:\n  s: 1\n');
    assert.deepEqual(messages, [
      `${F}:2:7 b/s/teleport: unknown step type 'teleport' (expected one of container, docker, helm, helm-package, kubectl, nuget-package)`,
      `${F}:4:6 a/s: expected a step (a map with one step type), got an integer`,
    ]);
  });
});
