// Wharf's built-in variables from the git work tree, read as wharf-cmd reads them:
// GIT_BRANCH/REPO_BRANCH, GIT_SAFEBRANCH, GIT_COMMIT, GIT_COMMIT_SUBJECT, the commit's
// author and committer dates (wharf-cmd gives the author date for both: fixed here),
// GIT_TAG (the newest tag on HEAD, or empty), and REPO_GROUP/REPO_NAME from the origin
// remote. Without an origin, REPO_NAME is the work tree's folder name (wharf-cmd leaves it
// undefined).
import { execFileSync } from 'node:child_process';
import { basename } from 'node:path';
import type { VarValue } from './substitute.ts';

export function gitVariables(dir: string): Record<string, VarValue> {
  const git = (...args: string[]): string | null => {
    try {
      return execFileSync('git', ['-C', dir, '--no-pager', ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      return null;
    }
  };
  const top = git('rev-parse', '--show-toplevel');
  if (!top) return {};
  const vars: Record<string, VarValue> = {};
  const branch = git('branch', '--show-current') ?? '';
  Object.assign(vars, { GIT_BRANCH: branch, REPO_BRANCH: branch, GIT_SAFEBRANCH: branch.replaceAll('/', '-') });
  const [commit, subject, authorDate, committerDate] = (
    git('log', '-n', '1', 'HEAD', '--format=%H%n%s%n%aI%n%cI') ?? ''
  ).split('\n');
  if (commit)
    Object.assign(vars, {
      GIT_COMMIT: commit,
      GIT_COMMIT_SUBJECT: subject ?? '',
      GIT_COMMIT_AUTHOR_DATE: authorDate ?? '',
      GIT_COMMIT_COMMITTER_DATE: committerDate ?? '',
    });
  vars.GIT_TAG = (git('tag', '--sort=-taggerdate', '--points-at', 'HEAD') ?? '').split('\n')[0]?.trim() ?? '';
  const origin = repoFromRemote(git('remote', 'get-url', 'origin') ?? '');
  if (origin?.group) vars.REPO_GROUP = origin.group;
  vars.REPO_NAME = origin?.name || basename(top);
  return vars;
}

/** `group/sub` and `name` from a remote URL (https or scp-like), as wharf-cmd estimates them. */
export function repoFromRemote(url: string): { group: string; name: string } | null {
  const m = /^\w+:\/\/[^/]+\/(?:v\d+\/)?(.*)\/([^/]+)$/.exec(url) ?? /^[^/:]+:(?:v\d+\/)?(.*)\/([^/]+)$/.exec(url);
  if (!m) return null;
  return { group: m[1]!.replace(/\/_git$/, ''), name: m[2]!.replace(/\.git$/, '') };
}
