// The CLI as someone installs it: `npm pack`, then `npm install -g` of the tarball into a
// prefix of its own, run from another folder (a repository of someone else's) with the
// machine's own `node`, which hands over to the packaged Node 24 when it is older.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPods, connectLab } from '../support/lab.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the installed command', function () {
  this.timeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), 'installed-cli-'));
  const prefix = join(dir, 'prefix');
  const repo = join(dir, 'someones-repo');
  let command = '';

  before(() => {
    // npm from the PATH the tests run with; the CLI it installs runs under whatever `node` is first.
    execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack made a tarball');
    execFileSync(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        join(dir, tarball),
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    command = join(prefix, 'bin', 'wharf-temporal');
    mkdirSync(join(repo, 'sub'), { recursive: true });
    writeFileSync(
      join(repo, '.wharf-ci.yml'),
      'build:\n  compile:\n    container:\n      image: alpine:3\n      cmds:\n        - echo "building ${REPO_NAME}"\n',
    );
    writeFileSync(join(repo, 'broken.wharf-ci.yml'), 'build:\n  compile:\n    container:\n      cmds: [true]\n');
    execFileSync('git', ['init', '-q', repo]);
  });

  /** Runs the installed command in `cwd` with nothing of this project's on the PATH. */
  function installed(
    args: string[],
    cwd: string,
    extra: Record<string, string> = {},
  ): { code: number | null; stdout: string; stderr: string } {
    const path = (process.env.PATH ?? '')
      .split(':')
      .filter((p) => !p.startsWith(ROOT))
      .join(':');
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_') && !k.startsWith('npm_')),
    );
    const r = spawnSync(command, args, {
      cwd,
      encoding: 'utf8',
      env: { ...env, PATH: `${join(prefix, 'bin')}:${path}`, HOME: dir, NO_COLOR: '1', ...extra },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('validates the .wharf-ci.yml of the folder it runs in', () => {
    const ok = installed(['validate'], repo);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^\.wharf-ci\.yml: valid \(1 stages?, 1 steps?\)$/m);
    const bad = installed(['validate', 'broken.wharf-ci.yml'], repo);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^broken\.wharf-ci\.yml:3:5 build\/compile\/container\/image: missing required field/m);
    assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
  });

  it("plans from someone's repository: their file, their folder as the source, their repository name", () => {
    const plan = installed(['plan', '../.wharf-ci.yml'], join(repo, 'sub'));
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /building someones-repo/);
  });

  it('says what to configure when there is no lab to fall back on', () => {
    const list = installed(['list'], repo);
    assert.equal(list.code, 1);
    assert.match(
      list.stderr,
      /^wharf-temporal list: no Temporal server configured: set --temporal-address \/ TEMPORAL_ADDRESS/m,
    );
  });

  it("runs a build of someone's repository on the lab, with the packaged worker in its process", async () => {
    const lab = connectLab();
    const run = installed(['run', '--worker'], repo, {
      TEMPORAL_ADDRESS: lab.status.TEMPORAL_ADDRESS!,
      KUBECONFIG: lab.status.KUBECONFIG!,
      WHARF_TEMPORAL_NAMESPACE: lab.namespace,
      WHARF_TEMPORAL_TASK_QUEUE: `installed-${process.pid}`,
      WHARF_TEMPORAL_LOG_DIR: join(dir, 'logs'),
      XDG_CACHE_HOME: join(dir, 'cache'),
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^\[build\/compile\] building someones-repo$/m);
    assert.match(run.stdout, /wharf-temporal: sent 2 file\(s\) to \/mnt\/repo/);
    const id = /build (\S+) started/.exec(run.stdout)?.[1] ?? assert.fail(run.stdout);
    assert.match(id, /^someones-repo-/);
    assert.deepEqual(await buildPods(lab, id), []);
  });
});
