// The source tar, extracted by the system's tar: what arrives, and what must not.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
  readlinkSync,
  existsSync,
  statSync,
  utimesSync,
  ftruncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSourceFiles, unsafePath, type SourceListing } from '../../../src/source/source-files.ts';
import { packSource } from '../../../src/source/source-tar.ts';

async function tarOf(listing: SourceListing): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of packSource(listing.entries)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function extract(root: string): Promise<{ dest: string; skipped: string[]; listing: SourceListing }> {
  const listing = await listSourceFiles(root);
  const dest = mkdtempSync(join(tmpdir(), 'dest-'));
  const run = spawnSync('tar', ['-x', '-f', '-', '-C', dest], { input: await tarOf(listing) });
  assert.equal(run.status, 0, run.stderr.toString());
  return { dest, skipped: listing.skipped.map((s) => s.path), listing };
}

describe('source transfer tar', () => {
  it('carries files, modes, long names and internal symlinks; leaves out escaping symlinks', async () => {
    const root = mkdtempSync(join(tmpdir(), 'src-'));
    const deep = join('a'.repeat(60), 'b'.repeat(60), 'file-with-a-long-name.txt');
    mkdirSync(join(root, 'a'.repeat(60), 'b'.repeat(60)), { recursive: true });
    writeFileSync(join(root, deep), 'deep');
    writeFileSync(join(root, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    writeFileSync(join(root, 'grüße.txt'), 'utf-8 name');
    symlinkSync('run.sh', join(root, 'link'));
    symlinkSync('/etc/passwd', join(root, 'escape'));
    symlinkSync('../../outside', join(root, 'escape2'));
    const { dest, skipped } = await extract(root);
    assert.equal(readFileSync(join(dest, deep), 'utf8'), 'deep');
    assert.equal(readFileSync(join(dest, 'grüße.txt'), 'utf8'), 'utf-8 name');
    assert.equal(statSync(join(dest, 'run.sh')).mode & 0o777, 0o755);
    assert.equal(readlinkSync(join(dest, 'link')), 'run.sh');
    assert.ok(!existsSync(join(dest, 'escape')) && !existsSync(join(dest, 'escape2')));
    assert.deepEqual(skipped.sort(), ['escape', 'escape2']);
  });

  it('refuses a symlink that leaves the tree through another one (selfdir -> ., up -> selfdir/..)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'src-'));
    writeFileSync(join(root, 'file'), 'x');
    symlinkSync('.', join(root, 'selfdir'));
    symlinkSync('selfdir/..', join(root, 'up'));
    const { dest, listing } = await extract(root);
    assert.equal(readlinkSync(join(dest, 'selfdir')), '.', 'a link to the tree itself stays inside');
    assert.ok(!existsSync(join(dest, 'up')));
    assert.deepEqual(listing.skipped, [{ path: 'up', reason: 'symlink to selfdir/.. points outside the source tree' }]);
  });

  it('keeps dates before 1970 and sends empty folders', async () => {
    const root = mkdtempSync(join(tmpdir(), 'src-'));
    writeFileSync(join(root, 'old.txt'), 'old');
    const then = new Date('1969-07-20T20:17:40Z');
    utimesSync(join(root, 'old.txt'), then, then);
    mkdirSync(join(root, 'empty', 'deeper'), { recursive: true });
    const { dest } = await extract(root);
    assert.equal(readFileSync(join(dest, 'old.txt'), 'utf8'), 'old');
    assert.equal(statSync(join(dest, 'old.txt')).mtime.toISOString(), then.toISOString());
    assert.ok(statSync(join(dest, 'empty', 'deeper')).isDirectory());
  });

  it('writes the size of a file of 64 GiB and more so that tar reads it back', async () => {
    const root = mkdtempSync(join(tmpdir(), 'src-'));
    const size = 64 * 1024 ** 3 + 1;
    const fd = openSync(join(root, 'huge.img'), 'w');
    ftruncateSync(fd, size); // sparse: takes no space
    closeSync(fd);
    const listing = await listSourceFiles(root);
    // Only the header: the first block of the stream.
    let head = Buffer.alloc(0);
    for await (const chunk of packSource(listing.entries)) {
      head = Buffer.concat([head, chunk]);
      if (head.length >= 512) break;
    }
    const run = spawnSync('tar', ['-t', '-v', '-f', '-'], { input: head.subarray(0, 512) });
    assert.match(
      run.stdout.toString(),
      new RegExp(`\\b${size}\\b.*huge\\.img`),
      run.stdout.toString() + run.stderr.toString(),
    );
  });

  it('reports names that are not UTF-8 instead of dropping them silently', async () => {
    const root = mkdtempSync(join(tmpdir(), 'src-'));
    writeFileSync(
      Buffer.concat([Buffer.from(`${root}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]),
      'latin-1 name',
    );
    writeFileSync(join(root, 'ok.txt'), 'ok');
    const { dest, listing } = await extract(root);
    assert.ok(existsSync(join(dest, 'ok.txt')));
    assert.deepEqual(listing.skipped, [{ path: 'caf\uFFFD.txt', reason: 'its name is not valid UTF-8' }]);
  });

  it('honours .gitignore in a git work tree and leaves .git out', async () => {
    const root = mkdtempSync(join(tmpdir(), 'git-'));
    execFileSync('git', ['init', '-q', root]);
    writeFileSync(join(root, '.gitignore'), 'build/\n*.log\n');
    mkdirSync(join(root, 'build'));
    writeFileSync(join(root, 'build', 'out.bin'), 'x');
    writeFileSync(join(root, 'debug.log'), 'x');
    writeFileSync(join(root, 'main.c'), 'int main(){}');
    mkdirSync(join(root, 'empty'));
    const { dest, listing } = await extract(root);
    assert.ok(existsSync(join(dest, 'main.c')) && existsSync(join(dest, '.gitignore')));
    assert.ok(statSync(join(dest, 'empty')).isDirectory(), 'an empty folder arrives');
    assert.ok(
      !existsSync(join(dest, 'build')) && !existsSync(join(dest, 'debug.log')) && !existsSync(join(dest, '.git')),
    );
    assert.deepEqual(listing.notes, []);
  });

  it('honours .gitignore without git when git cannot read the repository, and says so', async () => {
    const root = mkdtempSync(join(tmpdir(), 'git-'));
    // A repository git refuses (as it refuses one owned by another user).
    writeFileSync(join(root, '.git'), 'gitdir: /nonexistent/repository\n');
    writeFileSync(join(root, '.gitignore'), '.env\n*.key\nsecrets/\n!keep.key\n');
    writeFileSync(join(root, '.env'), 'PASSWORD=hunter2');
    writeFileSync(join(root, 'id.key'), 'private');
    writeFileSync(join(root, 'keep.key'), 'public');
    mkdirSync(join(root, 'secrets'));
    writeFileSync(join(root, 'secrets', 'a'), 'x');
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub', '.gitignore'), 'local.txt\n');
    writeFileSync(join(root, 'sub', 'local.txt'), 'x');
    writeFileSync(join(root, 'sub', 'kept.txt'), 'x');
    writeFileSync(join(root, 'main.c'), 'int main(){}');
    const { dest, listing } = await extract(root);
    for (const sent of ['main.c', 'keep.key', '.gitignore', 'sub/kept.txt'])
      assert.ok(existsSync(join(dest, sent)), sent);
    for (const kept of ['.env', 'id.key', 'secrets', 'sub/local.txt', '.git'])
      assert.ok(!existsSync(join(dest, kept)), kept);
    assert.equal(listing.notes.length, 1);
    assert.match(listing.notes[0]!, /^git could not list the source \(.*\): \.gitignore read without git$/);
    assert.deepEqual(listing.skipped.map((s) => `${s.path}: ${s.reason}`).sort(), [
      '.env: ignored by .gitignore',
      'id.key: ignored by .gitignore',
      'secrets/: ignored by .gitignore',
      'sub/local.txt: ignored by .gitignore',
    ]);
  });

  it('refuses paths that leave the tree', () => {
    assert.equal(unsafePath('../x'), 'path leaves the source tree');
    assert.equal(unsafePath('a/../../x'), 'path leaves the source tree');
    assert.equal(unsafePath('/etc/passwd'), 'absolute path');
    assert.equal(unsafePath('a/b'), null);
  });
});
