import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineSplitter, MAX_LINE_BYTES } from '../../../src/logs/line-splitter.ts';
import { LogStore } from '../../../src/logs/log-store.ts';

describe('line splitter', () => {
  it('hands out complete lines with the offset just past each, keeping partial lines back', () => {
    const s = new LineSplitter(100);
    assert.deepEqual(s.push(Buffer.from('ab\ncd')), [{ text: 'ab', endOffset: 103 }]);
    assert.equal(s.committedOffset, 103);
    assert.deepEqual(s.push(Buffer.from('e\r\nprogress 1\rprogress 2\n')), [
      { text: 'cde', endOffset: 108 },
      { text: 'progress 2', endOffset: 130 },
    ]);
    assert.deepEqual(s.push(Buffer.from('tail')), []);
    assert.deepEqual(s.flush(), [{ text: 'tail', endOffset: 134 }]);
  });

  it('cuts lines longer than the limit instead of failing or holding them whole', () => {
    const s = new LineSplitter(0);
    const lines = s.push(Buffer.alloc(MAX_LINE_BYTES * 2 + 10, 'a'));
    assert.equal(lines.length, 2);
    assert.equal(lines[1]!.endOffset, MAX_LINE_BYTES * 2);
    assert.equal(s.flush()[0]!.text.length, 10);
  });

  it('never splits a multi-byte character across calls', () => {
    const s = new LineSplitter(0);
    const euro = Buffer.from('€\n');
    assert.deepEqual([...s.push(euro.subarray(0, 1)), ...s.push(euro.subarray(1))], [{ text: '€', endOffset: 4 }]);
  });
});

describe('log store', () => {
  const ref = { buildId: 'b-1', stage: 'build', step: 'compile' };

  it('skips lines an earlier attempt already stored, and masks secrets', () => {
    const store = new LogStore(mkdtempSync(join(tmpdir(), 'logs-')));
    const first = store.openWriter(ref, ['hunter2']);
    first.write('out', [{ text: 'password is hunter2', endOffset: 20 }, { text: 'two', endOffset: 24 }], 1);
    const second = store.openWriter(ref, ['hunter2']);
    assert.deepEqual(second.stored, { out: 24, err: 0 });
    second.write('out', [{ text: 'two', endOffset: 24 }, { text: 'three', endOffset: 30 }], 2);
    const { records } = store.read(ref);
    assert.deepEqual(records.map((r) => r.l), ['password is ***', 'two', 'three']);
    assert.ok(!readFileSync(store.stepFile(ref), 'utf8').includes('hunter2'));
    assert.deepEqual(store.steps('b-1'), [ref]);
  });

  it('reads incrementally and only whole records', () => {
    const store = new LogStore(mkdtempSync(join(tmpdir(), 'logs-')));
    const w = store.openWriter(ref);
    w.write('sys', [{ text: 'hello' }]);
    const a = store.read(ref);
    w.write('err', [{ text: 'oops', endOffset: 5 }]);
    const b = store.read(ref, a.next);
    assert.deepEqual(a.records.map((r) => r.l), ['hello']);
    assert.deepEqual(b.records.map((r) => [r.s, r.l]), [['err', 'oops']]);
  });
});
