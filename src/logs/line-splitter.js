// Splits a byte stream into lines, tracking the stream offset just past each line, so a
// reader that restarts can resume at the last complete line and never store one twice.
/** Longer lines are cut into pieces of this size rather than held in memory whole. */
export const MAX_LINE_BYTES = 256 * 1024;
export class LineSplitter {
    pending = [];
    pendingBytes = 0;
    offset;
    constructor(startOffset) {
        this.offset = startOffset;
    }
    /** Offset just past the last complete line handed out. */
    get committedOffset() {
        return this.offset;
    }
    push(chunk) {
        const lines = [];
        let start = 0;
        for (;;) {
            const nl = chunk.indexOf(0x0a, start);
            if (nl < 0)
                break;
            const piece = chunk.subarray(start, nl);
            lines.push(this.take(piece, piece.length + 1));
            start = nl + 1;
        }
        let rest = chunk.subarray(start);
        while (this.pendingBytes + rest.length >= MAX_LINE_BYTES) {
            const room = MAX_LINE_BYTES - this.pendingBytes;
            lines.push(this.take(rest.subarray(0, room), room));
            rest = rest.subarray(room);
        }
        if (rest.length > 0) {
            this.pending.push(Buffer.from(rest));
            this.pendingBytes += rest.length;
        }
        return lines;
    }
    /** The unterminated last line, once the stream has ended. */
    flush() {
        if (this.pendingBytes === 0)
            return [];
        return [this.take(Buffer.alloc(0), 0)];
    }
    take(piece, consumed) {
        const bytes = this.pending.length ? Buffer.concat([...this.pending, piece]) : piece;
        const consumedTotal = this.pendingBytes + consumed;
        this.pending = [];
        this.pendingBytes = 0;
        this.offset += consumedTotal;
        return { text: stripCarriageReturn(bytes.toString('utf8')), endOffset: this.offset };
    }
}
// Progress bars redraw with CR; like a terminal, keep only what was drawn last.
function stripCarriageReturn(text) {
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    const cr = trimmed.lastIndexOf('\r');
    return cr >= 0 ? trimmed.slice(cr + 1) : trimmed;
}
