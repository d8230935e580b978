// Parses the framed output of the detached-command follower (see detached-command.ts).
export class FollowFrameParser {
    buffer = Buffer.alloc(0);
    /** Bytes still expected for the payload of an `o`/`e` frame. */
    payload = null;
    /** Feeds bytes and returns the frames they complete. */
    push(chunk) {
        this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
        const frames = [];
        for (;;) {
            if (this.payload) {
                if (this.buffer.length === 0)
                    break;
                const take = Math.min(this.payload.remaining, this.buffer.length);
                frames.push({ kind: this.payload.kind, data: this.buffer.subarray(0, take) });
                this.buffer = this.buffer.subarray(take);
                this.payload.remaining -= take;
                if (this.payload.remaining === 0)
                    this.payload = null;
                continue;
            }
            const newline = this.buffer.indexOf(0x0a);
            if (newline < 0)
                break;
            const header = this.buffer.subarray(0, newline).toString('utf8');
            this.buffer = this.buffer.subarray(newline + 1);
            const frame = parseHeader(header);
            if (frame === null)
                continue;
            if ('length' in frame) {
                if (frame.length > 0)
                    this.payload = { kind: frame.kind, remaining: frame.length };
            }
            else {
                frames.push(frame);
            }
        }
        return frames;
    }
}
function parseHeader(header) {
    const [tag, arg] = header.split(' ');
    switch (tag) {
        case 's':
            return { kind: 'started', fresh: arg === 'new' };
        case 'o':
        case 'e':
            return { kind: tag === 'o' ? 'out' : 'err', length: toInt(arg) };
        case 'k':
            return { kind: 'keepalive' };
        case 't':
            return { kind: 'expired' };
        case 'x':
            return { kind: 'exit', code: toInt(arg) };
        default:
            throw new Error(`unexpected output from the command follower: ${JSON.stringify(header.slice(0, 200))}`);
    }
}
function toInt(text) {
    const n = Number.parseInt(text ?? '', 10);
    if (!Number.isInteger(n) || n < 0)
        throw new Error(`malformed number in follower output: ${JSON.stringify(text)}`);
    return n;
}
