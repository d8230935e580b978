import assert from 'node:assert/strict';
import { MAX_LINE_BYTES } from '../../../src/logs/line-splitter.ts';
import { MaskedLineSplitter } from '../../../src/logs/masked-line-splitter.ts';
import { maskData, maskText } from '../../../src/logs/secret-mask.ts';

function allLines(secrets: string[], chunks: Buffer[]) {
  const s = new MaskedLineSplitter(0, secrets);
  return [...chunks.flatMap((c) => s.push(c)), ...s.flush()];
}

describe('secret masking', () => {
  it('masks every occurrence in text, overlapping ones as one', () => {
    assert.equal(maskText('a hunter2 b hunter2', ['hunter2']), 'a *** b ***');
    assert.equal(maskText('abcd', ['abc', 'bcd']), '***');
    assert.equal(maskText('nothing', ['']), 'nothing');
  });

  it('masks plain data structurally: a one-character secret keeps the shape', () => {
    const data = { name: 'step', cmds: ['echo "x"', 'x'], n: 3, nested: { 'x-key': 'x' } };
    const masked = maskData(data, ['x', '"']);
    assert.deepEqual(masked, { name: 'step', cmds: ['echo ***', '***'], n: 3, nested: { 'x-key': '***' } });
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(masked)));
  });

  it('masks a multi-line secret printed as it is, and keeps the offsets of the raw stream', () => {
    const secret = 'line one\nline two';
    const lines = allLines([secret], [Buffer.from('before\nthe secret: line one\nline two.\nafter\n')]);
    assert.deepEqual(
      lines.map((l) => l.text),
      ['before', 'the secret: ***.', 'after'],
    );
    assert.equal(lines.at(-1)!.endOffset, Buffer.byteLength('before\nthe secret: line one\nline two.\nafter\n'));
    assert.ok(!lines.some((l) => l.text.includes('line one') || l.text.includes('line two')));
  });

  it('masks a multi-line secret that arrives split over chunks, holding the line end back meanwhile', () => {
    const s = new MaskedLineSplitter(0, ['ab\ncd']);
    assert.deepEqual(s.push(Buffer.from('x ab\n')), []);
    assert.deepEqual(s.push(Buffer.from('c')), []);
    assert.deepEqual(s.push(Buffer.from('d y\nz\n')), [
      { text: 'x *** y', endOffset: 10 },
      { text: 'z', endOffset: 12 },
    ]);
  });

  it('masks a secret that straddles the long-line cut', () => {
    const secret = 'hunter2-secret';
    const before = Buffer.alloc(MAX_LINE_BYTES - 5, 'a');
    const chunks = [Buffer.concat([before, Buffer.from(secret.slice(0, 5))]), Buffer.from(`${secret.slice(5)}bbb\n`)];
    const lines = allLines([secret], chunks);
    const text = lines.map((l) => l.text).join('');
    assert.ok(!text.includes('hunter'), 'no part of the secret is stored');
    assert.ok(text.endsWith('***bbb'));
    assert.equal(lines.at(-1)!.endOffset, MAX_LINE_BYTES - 5 + secret.length + 4);
  });

  it('still cuts long lines and resumes offsets as the plain splitter', () => {
    const lines = allLines(['zzz'], [Buffer.alloc(MAX_LINE_BYTES * 2 + 10, 'a')]);
    assert.equal(lines.length, 3);
    assert.equal(lines[1]!.endOffset, MAX_LINE_BYTES * 2);
    assert.equal(lines[2]!.text.length, 10);
  });
});
