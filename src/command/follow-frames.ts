// Parses the framed output of the detached-command follower (see detached-command.ts).

export type FollowFrame =
  | { kind: 'started'; fresh: boolean }
  | { kind: 'out'; data: Buffer }
  | { kind: 'err'; data: Buffer }
  | { kind: 'keepalive' }
  | { kind: 'expired' }
  | { kind: 'exit'; code: number };

const MAX_HEADER_BYTES = 256;

/**
 * The follower's output does not follow the protocol: the container's shell printed
 * something of its own (a banner), or the command's state volume is full (an empty
 * exit-code file). Retrying does not help.
 */
export class FollowerProtocolError extends Error {
  override name = 'FollowerProtocolError';
}

export class FollowFrameParser {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes still expected for the payload of an `o`/`e` frame. */
  private payload: { kind: 'out' | 'err'; remaining: number } | null = null;

  /** Feeds bytes and returns the frames they complete. */
  push(chunk: Buffer): FollowFrame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: FollowFrame[] = [];
    for (;;) {
      if (this.payload) {
        if (this.buffer.length === 0) break;
        const take = Math.min(this.payload.remaining, this.buffer.length);
        frames.push({ kind: this.payload.kind, data: this.buffer.subarray(0, take) });
        this.buffer = this.buffer.subarray(take);
        this.payload.remaining -= take;
        if (this.payload.remaining === 0) this.payload = null;
        continue;
      }
      const newline = this.buffer.indexOf(0x0a);
      if (newline < 0) {
        // A header is a few bytes: a long line without a newline is not the follower speaking.
        if (this.buffer.length > MAX_HEADER_BYTES)
          throw new FollowerProtocolError(
            `unexpected output from the command follower: ${JSON.stringify(this.buffer.subarray(0, 200).toString('utf8'))}`,
          );
        break;
      }
      const header = this.buffer.subarray(0, newline).toString('utf8');
      this.buffer = this.buffer.subarray(newline + 1);
      const frame = parseHeader(header);
      if (frame === null) continue;
      if ('length' in frame) {
        if (frame.length > 0) this.payload = { kind: frame.kind, remaining: frame.length };
      } else {
        frames.push(frame);
      }
    }
    return frames;
  }
}

function parseHeader(header: string): FollowFrame | { kind: 'out' | 'err'; length: number } | null {
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
      throw new FollowerProtocolError(
        `unexpected output from the command follower: ${JSON.stringify(header.slice(0, 200))}`,
      );
  }
}

function toInt(text: string | undefined): number {
  const n = Number.parseInt(text ?? '', 10);
  if (!/^\d+$/.test(text ?? '') || !Number.isSafeInteger(n))
    throw new FollowerProtocolError(
      `malformed number in follower output: ${JSON.stringify((text ?? '').slice(0, 200))}`,
    );
  return n;
}
