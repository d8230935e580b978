// Lists the files of a local source tree that a build step receives: what git would
// track (honouring .gitignore) when the tree is a git work tree; otherwise, and when git
// cannot answer (not installed, a repository owned by another user: said in a note),
// everything but .git with the .gitignore files read without git. The policy of what is sent lives here:
// nothing may point outside the tree (`..`, absolute paths, symlinks that resolve outside
// it are refused), and nothing is left out silently (unreadable names, other file types
// are reported; empty folders are sent).
import { execFile } from 'node:child_process';
import { lstat, readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { SourceEntry } from './source-entry.ts';

export interface SourceListing {
  entries: SourceEntry[];
  /** Paths left out, with the reason (e.g. a symlink pointing outside the tree). */
  skipped: { path: string; reason: string }[];
  /** How the tree was read, when the user should know (e.g. .gitignore read without git). */
  notes: string[];
}

/** Tree entries looked at concurrently. */
const STAT_CONCURRENCY = 32;

export async function listSourceFiles(root: string, onlyFiles: string[] | null = null): Promise<SourceListing> {
  const base = await realpath(root);
  const skipped: SourceListing['skipped'] = [];
  const notes: string[] = [];
  let found = await gitCandidates(base);
  if ('failed' in found) {
    notes.push(`git could not list the source (${found.failed}): .gitignore read without git`);
    found = await walk(base, true, skipped);
  } else if ('notGit' in found) {
    found = await walk(base, true, skipped);
  }
  const wanted = onlyFiles ? new Set(onlyFiles.map((f) => normalize(f))) : null;
  const names: string[] = [];
  for (const raw of found.files) {
    const rel = raw.toString('utf8');
    if (!Buffer.from(rel, 'utf8').equals(raw)) {
      skipped.push({ path: rel, reason: 'its name is not valid UTF-8' });
      continue;
    }
    if (wanted && !wanted.has(normalize(rel))) continue;
    const problem = unsafePath(rel);
    if (problem) skipped.push({ path: rel, reason: problem });
    else names.push(rel);
  }
  const entries: SourceEntry[] = [];
  for (let i = 0; i < names.length; i += STAT_CONCURRENCY) {
    const batch = await Promise.all(names.slice(i, i + STAT_CONCURRENCY).map((rel) => entryFor(base, rel)));
    for (const [index, result] of batch.entries()) {
      if (result === null) continue; // tracked but deleted in the work tree
      if ('reason' in result) skipped.push({ path: names[i + index]!, reason: result.reason });
      else entries.push(result);
    }
  }
  if (!wanted) {
    for (const dir of found.emptyDirs) {
      const stat = await lstat(join(base, dir)).catch(() => null);
      if (stat?.isDirectory())
        entries.push({ type: 'directory', path: toPosix(dir), mode: stat.mode & 0o777, mtime: stat.mtime });
    }
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries, skipped, notes };
}

export function unsafePath(rel: string): string | null {
  if (rel === '' || isAbsolute(rel)) return 'absolute path';
  if (normalize(rel).split(/[\\/]/).includes('..')) return 'path leaves the source tree';
  return null;
}

async function entryFor(base: string, rel: string): Promise<SourceEntry | { reason: string } | null> {
  const full = join(base, rel);
  const stat = await lstat(full).catch(() => null);
  if (!stat) return null;
  const path = toPosix(rel);
  if (stat.isFile())
    return { type: 'file', path, source: full, size: stat.size, mode: stat.mode & 0o777, mtime: stat.mtime };
  if (stat.isDirectory()) return { type: 'directory', path, mode: stat.mode & 0o777, mtime: stat.mtime };
  if (!stat.isSymbolicLink()) return { reason: 'not a regular file, folder or symlink' };
  const target = await readlink(full);
  if (isAbsolute(target)) return { reason: `symlink to ${target} points outside the source tree` };
  // Resolved as the filesystem does, through every link on the way (`selfdir -> .` then
  // `up -> selfdir/..` leaves the tree though the text `selfdir/..` does not).
  const landing = await realpath(full).catch(() => null);
  if (landing === null) return { reason: `symlink to ${target} does not resolve inside the source tree` };
  if (!inside(base, landing)) return { reason: `symlink to ${target} points outside the source tree` };
  return { type: 'symlink', path, target, mtime: stat.mtime };
}

interface Candidates {
  /** Paths relative to the tree, as the filesystem spells them (not always UTF-8). */
  files: Buffer[];
  emptyDirs: string[];
}

async function gitCandidates(base: string): Promise<Candidates | { notGit: true } | { failed: string }> {
  const files = await git(base, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
  if ('failed' in files) {
    // Not a work tree (and no .git here that git failed to read): everything is sent.
    const hasGit = (await lstat(join(base, '.git')).catch(() => null)) !== null;
    if (!hasGit && (files.missing || /not a git repository/i.test(files.failed))) return { notGit: true };
    return files;
  }
  // Untracked folders, empty ones among them (git tracks no folders).
  const dirs = await git(base, ['ls-files', '-z', '--others', '--directory', '--exclude-standard']);
  const emptyDirs: string[] = [];
  if (!('failed' in dirs)) {
    for (const raw of splitZ(dirs.out)) {
      const dir = raw.toString('utf8');
      if (!dir.endsWith('/') || unsafePath(dir)) continue;
      const inside = await readdir(join(base, dir)).catch(() => null);
      if (inside?.length === 0) emptyDirs.push(dir.slice(0, -1));
    }
  }
  return { files: [...new Map(splitZ(files.out).map((b) => [b.toString('latin1'), b])).values()], emptyDirs };
}

function git(base: string, args: string[]): Promise<{ out: Buffer } | { failed: string; missing?: boolean }> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-C', base, ...args],
      { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (!err) return resolve({ out: stdout });
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return resolve({ failed: 'git is not installed', missing: true });
        const first =
          stderr
            .toString('utf8')
            .split('\n')
            .find((l) => l.trim()) ?? err.message;
        resolve({ failed: first.replace(/^fatal: /, '').trim() });
      },
    );
  });
}

function splitZ(out: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = out.indexOf(0); i >= 0; start = i + 1, i = out.indexOf(0, start)) {
    if (i > start) parts.push(out.subarray(start, i));
  }
  if (start < out.length) parts.push(out.subarray(start));
  return parts;
}

/**
 * Every file below `base` but .git, with .gitignore files (and .git/info/exclude) applied
 * as git applies them; what they leave out is reported.
 */
async function walk(base: string, honourGitignore: boolean, skipped: SourceListing['skipped']): Promise<Candidates> {
  const files: Buffer[] = [];
  const emptyDirs: string[] = [];
  const rules: { dir: string; ig: Ignore }[] = [];
  if (honourGitignore) {
    const exclude = await readFile(join(base, '.git', 'info', 'exclude'), 'utf8').catch(() => '');
    if (exclude.trim()) rules.push({ dir: '', ig: ignore().add(exclude) });
  }
  const ignored = (rel: string, isDir: boolean): boolean => {
    let verdict = false;
    for (const { dir, ig } of rules) {
      if (dir !== '' && !rel.startsWith(`${dir}/`)) continue;
      const sub = dir === '' ? rel : rel.slice(dir.length + 1);
      const result = ig.test(isDir ? `${sub}/` : sub);
      if (result.ignored) verdict = true;
      else if (result.unignored) verdict = false;
    }
    return verdict;
  };
  const visit = async (dirRel: string): Promise<void> => {
    const full = dirRel === '' ? base : join(base, dirRel);
    const children = await readdir(full, { withFileTypes: true, encoding: 'buffer' });
    if (children.length === 0 && dirRel !== '') emptyDirs.push(dirRel);
    let own: Ignore | null = null;
    if (honourGitignore && children.some((c) => c.name.toString('latin1') === '.gitignore')) {
      own = ignore().add(await readFile(join(full, '.gitignore'), 'utf8').catch(() => ''));
      rules.push({ dir: toPosix(dirRel), ig: own });
    }
    try {
      for (const child of children) {
        const name = child.name.toString('utf8');
        if (name === '.git' && Buffer.from(name).equals(child.name)) continue;
        const relRaw = dirRel === '' ? child.name : Buffer.concat([Buffer.from(`${dirRel}/`, 'utf8'), child.name]);
        const rel = relRaw.toString('utf8');
        if (honourGitignore && Buffer.from(rel, 'utf8').equals(relRaw) && ignored(toPosix(rel), child.isDirectory())) {
          skipped.push({ path: toPosix(rel) + (child.isDirectory() ? '/' : ''), reason: 'ignored by .gitignore' });
          continue;
        }
        if (child.isDirectory()) {
          if (!Buffer.from(rel, 'utf8').equals(relRaw))
            skipped.push({ path: rel, reason: 'its name is not valid UTF-8' });
          else await visit(rel);
        } else {
          files.push(relRaw);
        }
      }
    } finally {
      if (own) rules.pop();
    }
  };
  await visit('');
  return { files, emptyDirs };
}

function inside(base: string, path: string): boolean {
  const rel = relative(base, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}
