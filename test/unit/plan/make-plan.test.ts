import assert from 'node:assert/strict';
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
    return { dir, file: join(dir, '.wharf-ci.yml'), environ: { WHARF_VAR_FROM_ENV: 'env-var', XDG_CONFIG_HOME: join(root, 'none') } };
  }

  it('resolves --input, defaults, the environment, WHARF_VAR_*, and vars files nearest first', () => {
    const { file, environ } = setup();
    const result = makePlan({ file, env: 'lab', inputs: { target: 'prod' }, buildId: 'b1', environ });
    assert.ok('plan' in result, JSON.stringify(result));
    const script = result.plan.stages[0]!.steps[0]!.exec.command[2];
    assert.equal(script, 'echo "prod x1 at the lab by env from nearest and env-var"\necho "token s3cret"');
    assert.deepEqual(result.plan.stages[0]!.steps[0]!.secrets, ['s3cret']);
    assert.ok(!JSON.stringify(maskSecrets(result.plan)).includes('s3cret'), 'plan output masks the password');
  });

  it('keeps password inputs out of the plan when they go through a Secret', () => {
    const { file, environ } = setup();
    const result = makePlan({ file, env: 'lab', inputs: { token: 'hunter2' }, buildId: 'b1', environ, passwordSecret: 'wharf-b1-inputs' });
    assert.ok('plan' in result);
    assert.deepEqual(result.passwordValues, { WHARF_SECRET_TOKEN: 'hunter2' });
    const step = result.plan.stages[0]!.steps[0]!;
    assert.ok(!JSON.stringify(result.plan).includes('hunter2'), 'no password value in the plan');
    assert.match(step.exec.command[2]!, /echo "token \$\{WHARF_SECRET_TOKEN\}"/);
    assert.deepEqual(step.pod.spec?.containers[0]?.env, [
      { name: 'WHARF_SECRET_TOKEN', valueFrom: { secretKeyRef: { name: 'wharf-b1-inputs', key: 'WHARF_SECRET_TOKEN' } } },
    ]);
    assert.equal(step.secretName, 'wharf-b1-inputs');
    assert.deepEqual(step.secrets, []);
  });

  it('reports bad inputs and an unknown environment as errors, not silently', () => {
    const { file, environ } = setup();
    const result = makePlan({ file, env: 'staging', inputs: { target: 'qa', replicas: 'many', nope: '1' }, buildId: 'b1', environ });
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
    assert.equal(formatError(result.errors[0]!), '/nonexistent/.wharf-ci.yml:1:1 cannot read the build definition: no such file');
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
    assert.equal(leftOutNote(['a', 'b'], null), 'stages left out (they are for named environments; choose one with --env): a, b');
  });
});
