// `run`'s arguments are checked before anything is planned or started: a git URL or ref
// that git would read as an option is refused as a usage error, credentials masked.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { podDeadline } from '../../../src/cli/commands/run.ts';
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
    assert.deepEqual(ref, {
      code: 2,
      err: 'wharf-temporal run: --ref --upload-pack=touch /tmp/x: a ref cannot start with "-"\n',
    });
    const url = await stderrOf(['run', '--git=--upload-pack=touch /tmp/x']);
    assert.equal(url.code, 2);
    assert.match(url.err, /--git .*: a URL cannot start with "-"/);
    const helper = await stderrOf(['run', '--git', 'ext::sh -c touch% /tmp/x']);
    assert.equal(helper.code, 2);
    const creds = await stderrOf(['run', '--git', 'https://bot:hunter2@git.example/r .git']);
    assert.equal(creds.code, 2);
    assert.ok(!creds.err.includes('hunter2'), creds.err);
  });

  it('refuses numbers and names that are not what they seem, before planning', async () => {
    for (const [args, message] of [
      [['--timeout', '1e21'], "--timeout must be a whole number of at least 1, got '1e21'"],
      [['--timeout', '604801'], '--timeout is at most 604800, got 604801'],
      [['--pending-timeout', '0x1F'], "--pending-timeout must be a whole number of at least 1, got '0x1F'"],
      [['--heartbeat', 'Infinity'], "--heartbeat must be a whole number of at least 1, got 'Infinity'"],
      [['--input', '__proto__=x'], "--input __proto__: '__proto__' cannot be a variable name"],
      [
        ['--input', 'a b=x'],
        "--input a b: 'a b' is not a variable name (letters, digits, '_', '-' and '.', starting with a letter, digit or '_')",
      ],
      [['--input', 'a=1', '--input', 'a=2'], '--input a is given twice'],
    ] as const) {
      assert.deepEqual(
        await stderrOf(['run', '/nonexistent.yml', ...args]),
        { code: 2, err: `wharf-temporal run: ${message}\n` },
        args.join(' '),
      );
    }
  });

  it("gives a step's pod a deadline its budgets fit in", () => {
    assert.equal(podDeadline({ pendingSeconds: 300, runSeconds: 3600 }), 4 * 3600);
    assert.ok(podDeadline({ pendingSeconds: 300, runSeconds: 6 * 3600 }) > 300 + 6 * 3600 + 1800);
  });

  it('refuses number inputs that are no decimal numbers, and names that cannot be variables, with their position', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'args-')), '.wharf-ci.yml');
    writeFileSync(
      file,
      'inputs:\n  - {name: n, type: number}\n  - {name: big, type: number, default: .inf}\nb:\n  s: {container: {image: a, cmds: [x]}}\n',
    );
    for (const value of ['Infinity', '0x1F', '1e400', ' 12']) {
      const { code, err } = await stderrOf(['validate', file, '--input', `n=${value}`]);
      assert.equal(code, 1);
      assert.match(
        err,
        new RegExp(
          `:2:5 inputs/n: --input n=${value.replace('+', '\\+')}: (expected a number|the number is too large)`,
        ),
        err,
      );
      assert.match(err, /:3:40 inputs\/1\/default: a number input needs a finite default/);
    }
    writeFileSync(file, 'inputs:\n  - {name: __proto__, type: string}\nb:\n  s: {container: {image: a, cmds: [x]}}\n');
    const proto = await stderrOf(['validate', file]);
    assert.equal(proto.code, 1);
    assert.match(proto.err, /:2:12 inputs\/0\/name: '__proto__' cannot be a variable name/);
  });
});
