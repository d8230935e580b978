// The source tar, extracted by the system's tar: what arrives, and what must not.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, readlinkSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSourceFiles, unsafePath } from '../../../src/source/source-files.ts';
import { tarStream } from '../../../src/source/tar-writer.ts';

async function extract(root: string): Promise<{ dest: string; skipped: string[] }> {
  const listing = listSourceFiles(root);
  const chunks: Buffer[] = [];
  for await (const chunk of tarStream(listing.entries)) chunks.push(chunk);
  const dest = mkdtempSync(join(tmpdir(), 'dest-'));
  const run = spawnSync('tar', ['-x', '-f', '-', '-C', dest], { input: Buffer.concat(chunks) });
  assert.equal(run.status, 0, run.stderr.toString());
  return { dest, skipped: listing.skipped.map((s) => s.path) };
}

describe('source transfer tar', () => {
  it('carries files, modes, long names and internal symlinks; leaves out escaping symlinks', async () => {
    const root = mkdtempSync(join(tmpdir(), 'src-'));
    const deep = join('a'.repeat(60), 'b'.repeat(60), 'file-with-a-long-name.txt');
    mkdirSync(join(root, 'a'.repeat(60), 'b'.repeat(60)), { recursive: true });
    writeFileSync(join(root, deep), 'deep');
    writeFileSync(join(root, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    symlinkSync('run.sh', join(root, 'link'));
    symlinkSync('/etc/passwd', join(root, 'escape'));
    symlinkSync('../../outside', join(root, 'escape2'));
    const { dest, skipped } = await extract(root);
    assert.equal(readFileSync(join(dest, deep), 'utf8'), 'deep');
    assert.equal(statSync(join(dest, 'run.sh')).mode & 0o777, 0o755);
    assert.equal(readlinkSync(join(dest, 'link')), 'run.sh');
    assert.ok(!existsSync(join(dest, 'escape')) && !existsSync(join(dest, 'escape2')));
    assert.deepEqual(skipped.sort(), ['escape', 'escape2']);
  });

  it('honours .gitignore in a git work tree and leaves .git out', async () => {
    const root = mkdtempSync(join(tmpdir(), 'git-'));
    execFileSync('git', ['init', '-q', root]);
    writeFileSync(join(root, '.gitignore'), 'build/\n*.log\n');
    mkdirSync(join(root, 'build'));
    writeFileSync(join(root, 'build', 'out.bin'), 'x');
    writeFileSync(join(root, 'debug.log'), 'x');
    writeFileSync(join(root, 'main.c'), 'int main(){}');
    const { dest } = await extract(root);
    assert.ok(existsSync(join(dest, 'main.c')) && existsSync(join(dest, '.gitignore')));
    assert.ok(!existsSync(join(dest, 'build')) && !existsSync(join(dest, 'debug.log')) && !existsSync(join(dest, '.git')));
  });

  it('refuses paths that leave the tree', () => {
    assert.equal(unsafePath('../x'), 'path leaves the source tree');
    assert.equal(unsafePath('a/../../x'), 'path leaves the source tree');
    assert.equal(unsafePath('/etc/passwd'), 'absolute path');
    assert.equal(unsafePath('a/b'), null);
  });
});
