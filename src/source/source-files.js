// Lists the files of a local source tree that a build step receives: what git would
// track (honouring .gitignore) when the tree is a git work tree, everything but .git
// otherwise. No entry may point outside the tree: `..`, absolute paths and symlinks that
// leave it are refused.
import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, resolve, sep, dirname } from 'node:path';
export function listSourceFiles(root, onlyFiles = null) {
    const base = realpathSync(root);
    const candidates = gitFiles(base) ?? walk(base);
    const wanted = onlyFiles ? new Set(onlyFiles.map((f) => normalize(f))) : null;
    const entries = [];
    const skipped = [];
    for (const rel of candidates.sort()) {
        if (wanted && !wanted.has(normalize(rel)))
            continue;
        const problem = unsafePath(rel);
        if (problem) {
            skipped.push({ path: rel, reason: problem });
            continue;
        }
        const full = join(base, rel);
        let stat;
        try {
            stat = lstatSync(full);
        }
        catch {
            continue; // tracked but deleted in the work tree
        }
        const mtime = stat.mtimeMs / 1000;
        if (stat.isSymbolicLink()) {
            const target = readlinkSync(full);
            const landing = resolve(dirname(full), target);
            if (isAbsolute(target) || !inside(base, landing)) {
                skipped.push({ path: rel, reason: `symlink to ${target} points outside the source tree` });
                continue;
            }
            entries.push({ type: 'symlink', path: toPosix(rel), target, mtime });
        }
        else if (stat.isFile()) {
            entries.push({ type: 'file', path: toPosix(rel), source: full, size: stat.size, mode: stat.mode & 0o777, mtime });
        }
    }
    return { entries, skipped };
}
export function unsafePath(rel) {
    if (rel === '' || isAbsolute(rel))
        return 'absolute path';
    if (normalize(rel).split(/[\\/]/).includes('..'))
        return 'path leaves the source tree';
    return null;
}
function gitFiles(base) {
    try {
        const out = execFileSync('git', ['-C', base, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
            stdio: ['ignore', 'pipe', 'ignore'],
            maxBuffer: 256 * 1024 * 1024,
        });
        return [...new Set(out.toString('utf8').split('\0').filter(Boolean))];
    }
    catch {
        return null; // not a git work tree, or no git
    }
}
function walk(base, dir = base, out = []) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.name === '.git')
            continue;
        const full = join(dir, entry.name);
        if (entry.isDirectory())
            walk(base, full, out);
        else
            out.push(relative(base, full));
    }
    return out;
}
function inside(base, path) {
    const rel = relative(base, path);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
function toPosix(p) {
    return p.split(sep).join('/');
}
