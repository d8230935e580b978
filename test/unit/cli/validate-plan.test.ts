import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { planCommand } from '../../../src/cli/commands/plan.ts';
import { validateCommand } from '../../../src/cli/commands/validate.ts';
import { main } from '../../../src/cli/main.ts';
import type { BuildPlan } from '../../../src/plan/build-plan.ts';

/** Runs a command with stdout and stderr captured. */
async function capture(run: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const [out, err] = [[] as string[], [] as string[]];
  const [stdout, stderr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof process.stderr.write;
  try {
    const code = await run();
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

function definition(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cli-')), '.wharf-ci.yml');
  writeFileSync(file, text);
  return file;
}

const VALID = `inputs:
  - {name: token, type: password, default: s3cret}
  - {name: who, type: string, default: world}
environments:
  prod: {replicas: 3}
build:
  environments: [prod]
  hello:
    container: {image: alpine, cmds: ["echo hello \${who} x\${replicas}", "login \${token}"], imgae: typo}
lint:
  check:
    container: {image: alpine, cmds: [echo ok]}
`;

describe('cli: validate and plan', () => {
  it('validate exits 0 on a valid file, with warnings for ignored fields', async () => {
    const file = definition(VALID);
    const { code, out, err } = await capture(() => validateCommand([file]));
    assert.equal(code, 0);
    assert.equal(out, `${file}: valid (1 stage, 1 step)\n`);
    assert.equal(
      err,
      `warning: ${file}:9:92 build/hello/container/imgae: unknown field 'imgae' is ignored\n` +
        'stages left out (they are for named environments; choose one with --env): build\n',
    );
  });

  it('validate exits 1 with every error, positioned and counted', async () => {
    const file = definition('build:\n  a:\n    container: {cmds: [x]}\n  b:\n    kubectl: {}\n');
    const { code, out, err } = await capture(() => validateCommand([file, '--env', 'prod']));
    assert.equal(code, 1);
    assert.equal(out, '');
    assert.equal(
      err,
      [
        `${file}:1:1 environments: use of undefined environment "prod" (given with --env; the file defines none)`,
        `${file}:3:5 build/a/container/image: missing required field`,
        `${file}:5:5 build/b/kubectl/file: missing required field (give file or files)`,
        '3 errors',
        '',
      ].join('\n'),
    );
  });

  it('validate names a missing file, and rejects bad flags as usage errors', async () => {
    const missing = await capture(() => validateCommand(['/nonexistent/.wharf-ci.yml']));
    assert.deepEqual(
      [missing.code, missing.err],
      [1, '/nonexistent/.wharf-ci.yml:1:1 cannot read the build definition: no such file\n1 error\n'],
    );
    assert.equal((await capture(() => main(['validate', '--input', 'novalue']))).code, 2);
    assert.equal((await capture(() => main(['validate', 'a', 'b']))).code, 2);
  });

  it('plan prints the resolved plan as YAML, secrets masked', async () => {
    const file = definition(VALID);
    const { code, out, err } = await capture(() =>
      planCommand([file, '--env', 'prod', '--input', 'who=there', '--build-id', 'b-1', '--deadline', '600']),
    );
    assert.equal(code, 0);
    assert.doesNotMatch(err, /stages left out/, 'a stage that lists no environments is in every build');
    assert.ok(!out.includes('s3cret'), 'the password never printed');
    const plan = parse(out) as BuildPlan;
    assert.deepEqual(
      plan.stages.map((s) => s.name),
      ['build', 'lint'],
    );
    const step = plan.stages[0]!.steps[0]!;
    assert.deepEqual(step.exec.command, ['/bin/sh', '-c', 'echo hello there x3\nlogin ${WHARF_SECRET_TOKEN}']);
    assert.deepEqual(step.secrets, []);
    assert.equal(step.pod.spec?.activeDeadlineSeconds, 600);
    assert.equal(step.pod.metadata?.labels?.['wharf-temporal/build-id'], 'b-1');
    assert.ok(!out.includes('*a1'), 'no YAML aliases in the output');
  });

  it('plan --json prints the same plan as JSON; bad input fails with positioned errors', async () => {
    const file = definition(VALID);
    const json = await capture(() => planCommand([file, '--json']));
    assert.equal(json.code, 0);
    assert.deepEqual(
      (JSON.parse(json.out) as BuildPlan).stages.map((st) => st.steps[0]!.name),
      ['check'],
      'without --env, only stages for no environment',
    );
    assert.match(json.err, /^stages left out \(they are for named environments; choose one with --env\): build$/m);
    const bad = await capture(() => planCommand([file, '--input', 'nope=1']));
    assert.equal(bad.code, 1);
    assert.equal(
      bad.err,
      `${file}:1:1 inputs: use of undefined input variable "nope" (given with --input; the file declares token, who)\n1 error\n`,
    );
  });

  it('plan and validate print no secret value: not in the plan, not in errors, and a one-character one keeps the JSON whole', async () => {
    const file = definition(`inputs:
  - {name: token, type: password}
deploy:
  chart:
    helm: {chart: app, name: app, namespace: ns, cluster: kc, helmVersion: v3.8.1, repo: https://charts, files: [v.yaml]}
  login:
    container: {image: alpine, cmds: ['login \${token} "\${token}"']}
`);
    const secrets = ['multi\nline-token', 'reg-pass-value'];
    process.env.WHARF_VAR_REG_USER = 'bot';
    process.env.WHARF_VAR_REG_PASS = secrets[1];
    try {
      for (const args of [
        [file, '--input', `token=${secrets[0]}`],
        [file, '--json', '--input', `token=${secrets[0]}`],
      ]) {
        const { code, out, err } = await capture(() => planCommand(args));
        assert.equal(code, 0, err);
        for (const secret of secrets)
          assert.ok(!out.includes(secret) && !err.includes(secret), `plan ${args.join(' ')} prints no ${secret}`);
        for (const line of secrets[0]!.split('\n')) assert.ok(!out.includes(line));
      }
      const one = await capture(() => planCommand([file, '--json', '--input', 'token="']));
      assert.equal(one.code, 0);
      const plan = JSON.parse(one.out) as BuildPlan;
      assert.equal(plan.stages[0]!.steps[1]!.exec.command[2], 'login ${WHARF_SECRET_TOKEN} "${WHARF_SECRET_TOKEN}"');
    } finally {
      delete process.env.WHARF_VAR_REG_USER;
      delete process.env.WHARF_VAR_REG_PASS;
    }
    const bad = definition(
      'inputs:\n  - {name: pw, type: password}\nb:\n  runs-if: ${pw}\n  s: {container: {image: a, cmds: [x]}}\n',
    );
    for (const run of [
      () => validateCommand([bad, '--input', 'pw=hunter2']),
      () => planCommand([bad, '--input', 'pw=hunter2']),
    ]) {
      const { code, out, err } = await capture(run);
      assert.equal(code, 1);
      assert.match(err, /invalid run condition/);
      assert.ok(!`${out}${err}`.includes('hunter2'), err);
    }
  });
});
