// Where variables come from, in Wharf's order of priority (first match wins):
// --input values, input defaults, the chosen environment, build ids, WHARF_VAR_*
// environment variables, .wharf-vars.yml files (nearest folder upward first, then the
// user's config folder, then the system's), and values from git.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { VarValue } from './substitute.ts';

/** WHARF_VAR_NAME=value becomes NAME. Numbers and booleans keep their type (Wharf's cannot). */
export function environmentVariables(environ: NodeJS.ProcessEnv): Record<string, VarValue> {
  const vars: Record<string, VarValue> = {};
  for (const [key, value] of Object.entries(environ)) {
    if (key.startsWith('WHARF_VAR_') && value !== undefined) vars[key.slice('WHARF_VAR_'.length)] = typed(value);
  }
  return vars;
}

function typed(value: string): VarValue {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

/** The .wharf-vars.yml files that apply to `dir`, nearest first. */
export function varsFilePaths(dir: string, environ: NodeJS.ProcessEnv): string[] {
  const paths: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    paths.push(join(current, '.wharf-vars.yml'));
    if (dirname(current) === current) break;
  }
  const config = environ.XDG_CONFIG_HOME || join(homedir(), '.config');
  paths.push(join(config, 'iver-wharf', 'wharf-cmd', 'wharf-vars.yml'));
  paths.push('/etc/iver-wharf/wharf-cmd/wharf-vars.yml');
  return paths;
}

/** Each existing vars file's `vars:` map, in the given order. Bad files are reported, not skipped silently. */
export function readVarsFiles(paths: string[]): { layers: Record<string, VarValue>[]; problems: string[] } {
  const layers: Record<string, VarValue>[] = [];
  const problems: string[] = [];
  for (const path of paths) {
    if (!existsSync(path)) continue;
    try {
      const doc = parse(readFileSync(path, 'utf8')) as { vars?: unknown } | null;
      const vars = doc?.vars;
      if (vars === undefined || vars === null) continue;
      if (typeof vars !== 'object' || Array.isArray(vars)) {
        problems.push(`${path}: 'vars' must be a map of names to values`);
        continue;
      }
      const layer: Record<string, VarValue> = {};
      for (const [k, v] of Object.entries(vars)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') layer[k] = v;
        else problems.push(`${path}: vars.${k} must be a string, number or boolean`);
      }
      layers.push(layer);
    } catch (err) {
      problems.push(`${path}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  return { layers, problems };
}

/** Wharf's built-in variables from the git work tree at `dir` (none when it is not one). */
export function gitVariables(dir: string): Record<string, VarValue> {
  const git = (...args: string[]): string | null => {
    try {
      return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
    } catch {
      return null;
    }
  };
  const top = git('rev-parse', '--show-toplevel');
  if (!top) return {};
  const vars: Record<string, VarValue> = {};
  const set = (name: string, value: string | null): void => {
    if (value !== null) vars[name] = value;
  };
  const branch = git('rev-parse', '--abbrev-ref', 'HEAD');
  set('GIT_COMMIT', git('rev-parse', 'HEAD'));
  set('GIT_COMMIT_SUBJECT', git('log', '-1', '--format=%s'));
  set('GIT_COMMIT_AUTHOR_DATE', git('log', '-1', '--format=%aI'));
  set('GIT_COMMIT_COMMITTER_DATE', git('log', '-1', '--format=%cI'));
  set('GIT_BRANCH', branch);
  set('GIT_SAFEBRANCH', branch ? branch.replace(/[^a-zA-Z0-9-]/g, '-') : null);
  set('GIT_TAG', git('describe', '--tags', '--exact-match') ?? git('describe', '--tags', '--always'));
  set('REPO_BRANCH', branch);
  const remote = git('config', '--get', 'remote.origin.url');
  const path = remote ? remote.replace(/\.git$/, '').replace(/^.*?[:/]([^:/]+\/[^/]+)$/, '$1') : null;
  set('REPO_NAME', path ? basename(path) : basename(top));
  set('REPO_GROUP', path && path.includes('/') ? path.split('/')[0]! : null);
  return vars;
}
