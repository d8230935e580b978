import assert from 'node:assert/strict';
import { LineSplitter, MAX_LINE_BYTES } from '../../../src/logs/line-splitter.ts';

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
