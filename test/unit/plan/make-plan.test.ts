import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maskSecrets } from '../../../src/cli/commands/plan.ts';
import { formatError } from '../../../src/yaml/definition-error.ts';
import { leftOutNote, makePlan, planDefinition } from '../../../src/plan/make-plan.ts';

const DEFINITION = `
inputs:
  - {name: target, type: choice, values: [dev, prod], default: dev}
  - {name: replicas, type: number, default: 1}
  - {name: token, type: password, default: s3cret}
environments:
  lab: {where: the lab, who: env}
build:
  environments: [lab]
  show:
    container:
      image: alpine
      cmds:
        - echo "\${target} x\${replicas} at \${where} by \${who} from \${FROM_FILE} and \${FROM_ENV}"
        - echo "token \${token}"
`;

describe('makePlan: variables from every source, in priority order', () => {
  function setup(): { dir: string; file: string; environ: NodeJS.ProcessEnv } {
    const root = mkdtempSync(join(tmpdir(), 'plan-'));
    const dir = join(root, 'repo');
    mkdirSync(dir);
    writeFileSync(join(dir, '.wharf-ci.yml'), DEFINITION);
    writeFileSync(join(dir, '.wharf-vars.yml'), 'vars:\n  FROM_FILE: nearest\n  who: file\n');
    writeFileSync(join(root, '.wharf-vars.yml'), 'vars:\n  FROM_FILE: parent\n  FROM_ENV: file\n');
    return {
      dir,
      file: join(dir, '.wharf-ci.yml'),
      environ: { WHARF_VAR_FROM_ENV: 'env-var', XDG_CONFIG_HOME: join(root, 'none') },
    };
  }

  it('resolves --input, defaults, the environment, WHARF_VAR_*, and vars files nearest first', () => {
    const { file, environ } = setup();
    const result = makePlan({ file, env: 'lab', inputs: { target: 'prod' }, buildId: 'b1', environ });
    assert.ok('plan' in result, JSON.stringify(result));
    const script = result.plan.stages[0]!.steps[0]!.exec.command[2];
    assert.equal(
      script,
      'echo "prod x1 at the lab by env from nearest and env-var"\necho "token ${WHARF_SECRET_TOKEN}"',
    );
    assert.deepEqual(result.plan.stages[0]!.steps[0]!.secrets, []);
    assert.deepEqual(result.secretValues, { WHARF_SECRET_TOKEN: 's3cret' });
    assert.ok(!JSON.stringify(maskSecrets(result.plan)).includes('s3cret'), 'plan output holds no password');
  });

  it('keeps password inputs out of the plan: they go through the build Secret', () => {
    const { file, environ } = setup();
    const result = makePlan({ file, env: 'lab', inputs: { token: 'hunter2' }, buildId: 'b1', environ });
    assert.ok('plan' in result);
    assert.deepEqual(result.secretValues, { WHARF_SECRET_TOKEN: 'hunter2' });
    const step = result.plan.stages[0]!.steps[0]!;
    assert.ok(!JSON.stringify(result.plan).includes('hunter2'), 'no password value in the plan');
    assert.match(step.exec.command[2]!, /echo "token \$\{WHARF_SECRET_TOKEN\}"/);
    assert.deepEqual(step.pod.spec?.containers[0]?.env, [
      { name: 'WHARF_INPUT_TARGET', value: 'dev' },
      { name: 'WHARF_INPUT_REPLICAS', value: '1' },
      {
        name: 'WHARF_SECRET_TOKEN',
        valueFrom: { secretKeyRef: { name: 'wharf-b1-inputs', key: 'WHARF_SECRET_TOKEN' } },
      },
    ]);
    assert.equal(step.secretName, 'wharf-b1-inputs');
    assert.deepEqual(step.secrets, []);
  });

  it('reports bad inputs and an unknown environment as errors, not silently', () => {
    const { file, environ } = setup();
    const result = makePlan({
      file,
      env: 'staging',
      inputs: { target: 'qa', replicas: 'many', nope: '1' },
      buildId: 'b1',
      environ,
    });
    assert.ok('errors' in result);
    assert.deepEqual(result.errors.map(formatError), [
      `${file}:2:1 inputs: use of undefined input variable "nope" (given with --input; the file declares target, replicas, token)`,
      `${file}:3:5 inputs/target: --input target=qa: not one of the values (dev, prod)`,
      `${file}:4:5 inputs/replicas: --input replicas=many: expected a number`,
      `${file}:6:1 environments: use of undefined environment "staging" (given with --env; the file defines lab)`,
    ]);
  });

  it('names a missing file', () => {
    const result = makePlan({ file: '/nonexistent/.wharf-ci.yml', env: null, inputs: {}, buildId: 'b', environ: {} });
    assert.ok('errors' in result);
    assert.equal(
      formatError(result.errors[0]!),
      '/nonexistent/.wharf-ci.yml:1:1 cannot read the build definition: no such file',
    );
  });
});

describe('makePlan: no secret value in the plan', () => {
  it('masks a hand-made plan structurally: a one-character secret keeps it valid', () => {
    const result = planDefinition({
      file: 'f.yml',
      text: 'b:\n  s: {container: {image: a, cmds: [\'echo "x"\']}}\n',
      env: null,
      inputs: {},
      buildId: 'b',
      layers: [],
    });
    assert.ok('plan' in result);
    result.plan.stages[0]!.steps[0]!.secrets = ['"'];
    const masked = maskSecrets(result.plan);
    assert.equal(masked.stages[0]!.steps[0]!.exec.command[2], 'echo ***x***');
    assert.deepEqual(JSON.parse(JSON.stringify(masked)), masked);
  });

  const HELM = `
inputs:
  - {name: db_pass, type: password, default: pw-one}
deploy:
  chart:
    helm: {chart: app, name: app, namespace: ns, cluster: kc, helmVersion: v3.8.1, files: [values.yaml]}
  tell:
    container: {image: alpine, cmds: ['echo \${db_pass} \${API_KEY}']}
`;
  const layers = [
    {
      source: 'WHARF_VAR_* environment variables',
      variables: {
        CHART_REPO: 'https://charts',
        REPO_GROUP: 'g',
        REG_USER: 'bot',
        REG_PASS: 'reg-s3cret',
        API_KEY: 'api-s3cret',
        PLAIN: 'x',
      },
    },
  ];

  it("keeps REG_PASS, password inputs and variables marked secret out of a helm step's plan, including its files' variables", () => {
    const result = planDefinition({
      file: 'f.yml',
      text: HELM,
      env: null,
      inputs: {},
      buildId: 'b',
      layers,
      secretVariables: ['API_KEY'],
    });
    assert.ok('plan' in result, JSON.stringify(result));
    const text = JSON.stringify(result.plan);
    for (const value of ['reg-s3cret', 'pw-one', 'api-s3cret'])
      assert.ok(!text.includes(value), `${value} is not in the plan`);
    const [helm, tell] = result.plan.stages[0]!.steps;
    assert.deepEqual(helm!.exec.command.slice(0, 2), ['/bin/sh', '-c']);
    assert.match(
      helm!.exec.command[2]!,
      /^exec 'helm' 'upgrade' .* '--username' 'bot' '--password' "\$\{WHARF_SECRET_REG_PASS\}"$/,
    );
    assert.deepEqual(helm!.secrets, []);
    assert.equal(helm!.source?.variables, undefined, 'file variables come from the Secret');
    assert.equal(helm!.secretName, 'wharf-b-inputs');
    assert.equal(tell!.exec.command[2], 'echo ${WHARF_SECRET_DB_PASS} ${WHARF_SECRET_API_KEY}');
    assert.deepEqual(Object.keys(result.secretValues).sort(), [
      'WHARF_SECRET_API_KEY',
      'WHARF_SECRET_DB_PASS',
      'WHARF_SECRET_REG_PASS',
      'wharf-file-variables.json',
    ]);
    assert.equal(result.secretValues.WHARF_SECRET_REG_PASS, 'reg-s3cret');
    assert.equal(
      (JSON.parse(result.secretValues['wharf-file-variables.json']!) as Record<string, string>).REG_PASS,
      'reg-s3cret',
    );
  });

  it('gives inputs to steps as WHARF_INPUT_<NAME> too, and refuses two that would share one', () => {
    const text =
      'inputs:\n  - {name: msg, type: string}\nb:\n  s: {container: {image: a, cmds: [\'echo "\${msg}"\', \'printf "%s" "$WHARF_INPUT_MSG"\']}}\n';
    const value = '"; touch x; echo "';
    const result = planDefinition({ file: 'f.yml', text, env: null, inputs: { msg: value }, buildId: 'b', layers: [] });
    assert.ok('plan' in result);
    const step = result.plan.stages[0]!.steps[0]!;
    assert.deepEqual(step.pod.spec?.containers[0]?.env, [{ name: 'WHARF_INPUT_MSG', value }]);
    assert.equal(
      step.exec.command[2],
      `echo "${value}"\nprintf "%s" "$WHARF_INPUT_MSG"`,
      'pasted as text, as in Wharf',
    );
    const clash = planDefinition({
      file: 'f.yml',
      text: 'inputs:\n  - {name: a_b, type: string}\n  - {name: a-b, type: number}\nb:\n  s: {container: {image: a, cmds: [x]}}\n',
      env: null,
      inputs: {},
      buildId: 'b',
      layers: [],
    });
    assert.ok('errors' in clash);
    assert.deepEqual(clash.errors.map(formatError), [
      "f.yml:3:5 inputs/a-b: inputs 'a_b' and 'a-b' both become the environment variable WHARF_INPUT_A_B; rename one",
    ]);
  });

  it("runs a helm step's arguments through the shell with every character kept and the password expanded", () => {
    const text = `deploy:\n  chart:\n    helm: {chart: app, name: app, namespace: ns, cluster: kc, helmVersion: v3.8.1, repo: r, set: {msg: "it's \\"$HOME\\" \`x\`"}}\n`;
    const result = planDefinition({
      file: 'f.yml',
      text,
      env: null,
      inputs: {},
      buildId: 'b',
      layers: [{ source: 'env', variables: { REG_USER: 'bot', REG_PASS: "p'w $x" } }],
    });
    assert.ok('plan' in result, JSON.stringify(result));
    const script = result.plan.stages[0]!.steps[0]!.exec.command[2]!;
    const argv = execFileSync('/bin/sh', ['-c', script.replace(/^exec 'helm'/, "exec printf '%s\\n'")], {
      env: { WHARF_SECRET_REG_PASS: "p'w $x" },
      encoding: 'utf8',
    })
      .split('\n')
      .slice(0, -1);
    assert.deepEqual(argv.slice(-6), ['--set', 'msg=it\'s "$HOME" `x`', '--username', 'bot', '--password', "p'w $x"]);
  });

  it('refuses two password inputs that become the same environment variable, at the second', () => {
    const text =
      'inputs:\n  - {name: db_pass, type: password}\n  - {name: db-pass, type: password}\nb:\n  s: {container: {image: a, cmds: [x]}}\n';
    const result = planDefinition({ file: 'f.yml', text, env: null, inputs: {}, buildId: 'b', layers: [] });
    assert.ok('errors' in result);
    assert.deepEqual(result.errors.map(formatError), [
      "f.yml:3:5 inputs/db-pass: secret variables 'db_pass' and 'db-pass' both become the environment variable WHARF_SECRET_DB_PASS; rename one",
    ]);
  });

  it('never prints a password value in an error about it', () => {
    const text =
      'inputs:\n  - {name: pw, type: password}\nb:\n  runs-if: ${pw}\n  s: {container: {image: a, cmds: [x]}}\n';
    const result = planDefinition({
      file: 'f.yml',
      text,
      env: null,
      inputs: { pw: 'hunter2' },
      buildId: 'b',
      layers: [],
    });
    assert.ok('errors' in result);
    const messages = result.errors.map(formatError).join('\n');
    assert.ok(!messages.includes('hunter2'), messages);
    assert.match(messages, /invalid run condition/);
  });
});

describe('makePlan: the environment filter, as Wharf applies it', () => {
  const text = `
environments: {lab: {}, prod: {}}
plain:
  s: {container: {image: alpine, cmds: [echo plain]}}
lab-only:
  environments: [lab]
  s: {container: {image: alpine, cmds: [echo lab]}}
both:
  environments: [lab, prod]
  s: {container: {image: alpine, cmds: [echo both]}}
`;
  function stagesFor(env: string | null): { stages: string[]; leftOut: string[] } {
    const result = planDefinition({ file: 'f.yml', text, env, inputs: {}, buildId: 'b', layers: [] });
    assert.ok('plan' in result, JSON.stringify(result));
    return { stages: result.plan.stages.map((s) => s.name), leftOut: result.leftOut };
  }

  it('keeps the stages that list the chosen environment, and those that list none', () => {
    assert.deepEqual(stagesFor('lab'), { stages: ['plain', 'lab-only', 'both'], leftOut: [] });
    assert.deepEqual(stagesFor('prod'), { stages: ['plain', 'both'], leftOut: ['lab-only'] });
  });

  it('keeps only the stages that list no environment when none is chosen', () => {
    assert.deepEqual(stagesFor(null), { stages: ['plain'], leftOut: ['lab-only', 'both'] });
  });

  it('says which stages it left out and why', () => {
    assert.equal(leftOutNote([], 'lab'), null);
    assert.equal(leftOutNote(['plain'], 'lab'), 'stages left out (they are not for environment lab): plain');
    assert.equal(
      leftOutNote(['a', 'b'], null),
      'stages left out (they are for named environments; choose one with --env): a, b',
    );
  });
});
