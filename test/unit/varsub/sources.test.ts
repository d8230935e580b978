import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatError } from '../../../src/yaml/definition-error.ts';
import { environVariables } from '../../../src/varsub/environ-variables.ts';
import { gitVariables, repoFromRemote } from '../../../src/varsub/git-variables.ts';
import { gatherVariableSources } from '../../../src/varsub/variable-sources.ts';
import { parseVarsFile, varsFilePaths } from '../../../src/varsub/vars-files.ts';

describe('variable sources', () => {
  it('takes WHARF_VAR_* environment variables, typed like YAML scalars', () => {
    assert.deepEqual(
      environVariables({
        WHARF_VAR_REG_INSECURE: 'true',
        WHARF_VAR_N: '3',
        WHARF_VAR_F: '1.5',
        WHARF_VAR_TAG: 'v1.0',
        WHARF_VAR_: 'x',
        OTHER: 'no',
      }),
      {
        REG_INSECURE: true,
        N: 3,
        F: 1.5,
        TAG: 'v1.0',
      },
    );
  });

  it('looks for vars files from the folder upward, then the user config, then the system', () => {
    assert.deepEqual(varsFilePaths('/a/b', { XDG_CONFIG_HOME: '/home/u/.cfg' }), [
      '/a/b/.wharf-vars.yml',
      '/a/.wharf-vars.yml',
      '/.wharf-vars.yml',
      '/home/u/.cfg/iver-wharf/wharf-cmd/wharf-vars.yml',
      '/etc/iver-wharf/wharf-cmd/wharf-vars.yml',
    ]);
    assert.equal(varsFilePaths('/', { HOME: '/home/u' })[1], '/home/u/.config/iver-wharf/wharf-cmd/wharf-vars.yml');
  });

  it("reads a vars file's `vars` map, reporting mistakes where they are", () => {
    assert.deepEqual(parseVarsFile('v.yml', 'vars:\n  REG_URL: harbor.local\n  N: 2\nother: ignored\n'), {
      variables: { REG_URL: 'harbor.local', N: 2 },
      errors: [],
    });
    const bad = parseVarsFile('v.yml', 'vars:\n  A: [1]\n  B: ok\n');
    assert.deepEqual(bad.variables, { B: 'ok' });
    assert.deepEqual(bad.errors.map(formatError), [
      'v.yml:2:6 vars/A: expected a string, number or boolean, got a list',
    ]);
    assert.deepEqual(parseVarsFile('v.yml', 'vars: [x]\n').errors.map(formatError), [
      'v.yml:1:7 vars: expected a map of variables, got a list',
    ]);
    assert.deepEqual(parseVarsFile('v.yml', 'vars: {a: [}\n').errors.map(formatError).length, 1);
  });

  it('estimates the repository group and name from the origin URL, as wharf-cmd', () => {
    assert.deepEqual(repoFromRemote('https://github.com/iver-wharf/wharf-cmd.git'), {
      group: 'iver-wharf',
      name: 'wharf-cmd',
    });
    assert.deepEqual(repoFromRemote('git@gitlab.local:group/sub/project.git'), { group: 'group/sub', name: 'project' });
    assert.deepEqual(repoFromRemote('https://dev.azure.com/v3/org/project/_git/repo'), {
      group: 'org/project',
      name: 'repo',
    });
    assert.equal(repoFromRemote('not a url'), null);
  });

  it('reads git built-ins from a work tree: branch, safe branch, commit, dates, tag, repo', function () {
    this.timeout(20_000);
    const dir = mkdtempSync(join(tmpdir(), 'git-vars-'));
    const git = (...args: string[]): string =>
      execFileSync('git', ['-C', dir, ...args], {
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_DATE: '2020-05-07T14:25:21+02:00',
          GIT_COMMITTER_DATE: '2021-01-02T03:04:05+00:00',
          GIT_AUTHOR_NAME: 'a',
          GIT_AUTHOR_EMAIL: 'a@b',
          GIT_COMMITTER_NAME: 'c',
          GIT_COMMITTER_EMAIL: 'c@d',
        },
      }).trim();
    git('init', '-q', '-b', 'feature/x');
    writeFileSync(join(dir, 'f'), 'x');
    git('add', 'f');
    git('commit', '-q', '-m', 'Updated build targets');
    git('tag', 'v1.0.0');
    git('remote', 'add', 'origin', 'git@example.com:team/app.git');
    const vars = gitVariables(dir);
    assert.deepEqual(
      { ...vars, GIT_COMMIT: typeof vars.GIT_COMMIT },
      {
        GIT_BRANCH: 'feature/x',
        REPO_BRANCH: 'feature/x',
        GIT_SAFEBRANCH: 'feature-x',
        GIT_COMMIT: 'string',
        GIT_COMMIT_SUBJECT: 'Updated build targets',
        GIT_COMMIT_AUTHOR_DATE: '2020-05-07T14:25:21+02:00',
        GIT_COMMIT_COMMITTER_DATE: '2021-01-02T03:04:05+00:00',
        GIT_TAG: 'v1.0.0',
        REPO_GROUP: 'team',
        REPO_NAME: 'app',
      },
    );
    assert.equal(vars.GIT_COMMIT, git('rev-parse', 'HEAD'));
    assert.deepEqual(gitVariables(mkdtempSync(join(tmpdir(), 'no-git-'))), {});
  });

  it('gathers the outside layers in order: WHARF_VAR_*, vars files nearest first, git', () => {
    const root = mkdtempSync(join(tmpdir(), 'sources-'));
    const dir = join(root, 'repo');
    mkdirSync(dir);
    writeFileSync(join(dir, '.wharf-vars.yml'), 'vars: {A: near}\n');
    writeFileSync(join(root, '.wharf-vars.yml'), 'vars: {A: far, B: [x]}\n');
    const { layers, errors } = gatherVariableSources(dir, { WHARF_VAR_A: 'env', XDG_CONFIG_HOME: join(root, 'none') });
    assert.deepEqual(layers.map((l) => [l.source, l.variables.A]).slice(0, 3), [
      ['WHARF_VAR_* environment variables', 'env'],
      [join(dir, '.wharf-vars.yml'), 'near'],
      [join(root, '.wharf-vars.yml'), 'far'],
    ]);
    assert.equal(layers.at(-1)!.source, 'git');
    assert.deepEqual(errors.map(formatError), [
      `${join(root, '.wharf-vars.yml')}:1:19 vars/B: expected a string, number or boolean, got a list`,
    ]);
  });
});
