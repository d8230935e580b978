// Splits a command's byte stream into lines, as LineSplitter does (stream offsets for
// resuming, long lines cut at MAX_LINE_BYTES, carriage returns as a terminal shows them),
// and masks secrets on the way: in the stream, before it becomes lines, so a secret that
// holds a newline or that a long line's cut would split is still masked whole. A line end
// or cut that a secret might still cover once more bytes come is held back until they do
// (at most a secret's length more).
import type { Line } from './line-splitter.ts';
import { MAX_LINE_BYTES } from './line-splitter.ts';
import { findSecrets, maskRange, secretBytes, type Span } from './secret-mask.ts';

export class MaskedLineSplitter {
  private buffer: Buffer = Buffer.alloc(0);
  private offset: number;
  private readonly secrets: Buffer[];

  constructor(startOffset: number, secrets: Iterable<string> = []) {
    this.offset = startOffset;
    this.secrets = secretBytes(secrets);
  }

  /** Offset just past the last complete line handed out. */
  get committedOffset(): number {
    return this.offset;
  }

  push(chunk: Buffer): Line[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : Buffer.from(chunk);
    return this.drain(false);
  }

  /** The rest, once the stream has ended. */
  flush(): Line[] {
    return this.drain(true);
  }

  private drain(final: boolean): Line[] {
    const b = this.buffer;
    const spans = this.secrets.length ? findSecrets(b, this.secrets) : [];
    const covering = (pos: number): Span | undefined => spans.find((s) => s.start < pos && pos < s.end);
    const lines: Line[] = [];
    let lineStart = 0;
    let pos = 0;
    const emit = (end: number, consumed: number): void => {
      lines.push({
        text: stripCarriageReturn(maskRange(b, lineStart, end, spans).toString('utf8')),
        endOffset: this.offset + consumed,
      });
      lineStart = pos = consumed;
    };
    for (;;) {
      const nl = b.indexOf(0x0a, pos);
      const limit = lineStart + MAX_LINE_BYTES;
      if (nl >= 0 && nl < limit) {
        const span = spans.find((s) => s.start <= nl && nl < s.end);
        if (span) {
          pos = span.end;
          continue;
        }
        if (!final && this.mayBeCovered(b, lineStart, nl + 1)) break;
        emit(nl, nl + 1);
        continue;
      }
      if (b.length < limit) break;
      let cut = limit;
      const span = covering(cut);
      if (span) cut = span.end;
      if (!final && this.mayBeCovered(b, lineStart, cut)) break;
      emit(cut, cut);
    }
    if (final && lineStart < b.length) emit(b.length, b.length);
    this.offset += lineStart;
    this.buffer = Buffer.from(b.subarray(lineStart));
    return lines;
  }

  /** Whether a secret starting before `boundary` (and not before `from`) may end past the bytes received so far. */
  private mayBeCovered(b: Buffer, from: number, boundary: number): boolean {
    for (const secret of this.secrets) {
      for (let start = Math.max(from, b.length - secret.length + 1); start < Math.min(boundary, b.length); start++) {
        if (secret.subarray(0, b.length - start).equals(b.subarray(start))) return true;
      }
    }
    return false;
  }
}

// Progress bars redraw with CR; like a terminal, keep only what was drawn last.
function stripCarriageReturn(text: string): string {
  const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
  const cr = trimmed.lastIndexOf('\r');
  return cr >= 0 ? trimmed.slice(cr + 1) : trimmed;
}
