// `run`'s arguments are checked before anything is planned or started: a git URL or ref
// that git would read as an option is refused as a usage error, credentials masked.
import assert from 'node:assert/strict';
import { main } from '../../../src/cli/main.ts';

async function stderrOf(argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof process.stderr.write;
  try {
    return { code: await main(argv), err: err.join('') };
  } finally {
    process.stderr.write = write;
  }
}

describe('run: arguments checked at the edge', () => {
  it('refuses a --ref or --git that git would take as an option', async () => {
    const ref = await stderrOf(['run', '--git', 'https://git.example/r.git', '--ref=--upload-pack=touch /tmp/x']);
    assert.deepEqual(ref, { code: 2, err: 'wharf-temporal run: --ref --upload-pack=touch /tmp/x: a ref cannot start with "-"\n' });
    const url = await stderrOf(['run', '--git=--upload-pack=touch /tmp/x']);
    assert.equal(url.code, 2);
    assert.match(url.err, /--git .*: a URL cannot start with "-"/);
    const helper = await stderrOf(['run', '--git', 'ext::sh -c touch% /tmp/x']);
    assert.equal(helper.code, 2);
    const creds = await stderrOf(['run', '--git', 'https://bot:hunter2@git.example/r .git']);
    assert.equal(creds.code, 2);
    assert.ok(!creds.err.includes('hunter2'), creds.err);
  });
});
