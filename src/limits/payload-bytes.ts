// Byte bounds on everything a build puts into Temporal payloads (results, query answers,
// memo, failure details, ids). Temporal refuses a payload over 2 MB, and a workflow task
// that cannot complete is retried forever: a build would stay running. Pure and
// deterministic, usable in workflows and activities alike.

export const PayloadLimits = {
  /** One line of a step's log tail. */
  logTailLineBytes: 512,
  /** All of one step's log tail. */
  logTailBytes: 4 * 1024,
  /** A step's error message. */
  errorBytes: 2 * 1024,
  /** A build's result as a whole (the status query, the result, failure details, memo): half the 2 MB limit. */
  buildResultBytes: 1024 * 1024,
  /** A step's child workflow id (Temporal's own limit is 1000). */
  workflowIdBytes: 255,
  /** A search attribute value or a summary line. */
  labelBytes: 1024,
} as const;

const encoder = new TextEncoder();

export function byteLength(text: string): number {
  return encoder.encode(text).length;
}

/** `text` cut to at most `max` bytes of UTF-8 on a character boundary, marked with … when cut. */
export function clipBytes(text: string, max: number): string {
  if (text.length <= max / 4 || byteLength(text) <= max) return text;
  const budget = Math.max(0, max - 3); // the ellipsis takes three bytes
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = byteLength(char);
    if (bytes + size > budget) break;
    bytes += size;
    end += char.length;
  }
  return `${text.slice(0, end)}…`;
}

/** The last lines of a log that fit: each line clipped, the oldest dropped first. */
export function boundLogTail(
  lines: string[],
  lineBytes: number = PayloadLimits.logTailLineBytes,
  totalBytes: number = PayloadLimits.logTailBytes,
): string[] {
  const kept: string[] = [];
  let total = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = clipBytes(lines[i]!, lineBytes);
    total += byteLength(line) + 4; // JSON quotes and comma
    if (total > totalBytes) break;
    kept.unshift(line);
  }
  return kept;
}

/** A readable id within `max` bytes: cut, with a hash of the whole so distinct ids stay distinct. */
export function boundId(id: string, max: number = PayloadLimits.workflowIdBytes): string {
  if (byteLength(id) <= max) return id;
  const hash = fnv1a(id);
  return `${clipBytes(id, max - hash.length - 1).replace(/…$/, '')}~${hash}`;
}

// FNV-1a over UTF-8, 2 x 32 bits: deterministic in a workflow, where no crypto module is.
function fnv1a(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (const byte of encoder.encode(text)) {
    h1 = Math.imul(h1 ^ byte, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ byte, 0x01000197) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}
