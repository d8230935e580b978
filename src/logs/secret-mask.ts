// Masking of secret values as `***`: in text (found as bytes, every occurrence, overlapping
// ones masked as one), and in plain data (every string in it, keys and structure kept, so
// a masked plan is still the same JSON or YAML shape whatever the secret is).

export const MASK = '***';

/** A secret occurrence: bytes [start, end) of a buffer. */
export interface Span {
  start: number;
  end: number;
}

/** Lines of a multi-line secret shorter than this are not masked on their own ("}", "--"). */
const MIN_LINE_SECRET = 4;

/**
 * The secrets to look for, as bytes: empty ones dropped, duplicates once, longest first.
 * A multi-line secret is looked for whole and line by line, since a program may print one
 * of its lines alone.
 */
export function secretBytes(secrets: Iterable<string>): Buffer[] {
  const all = new Set<string>();
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    all.add(secret);
    if (secret.includes('\n'))
      for (const line of secret.split(/\r?\n/)) if (line.length >= MIN_LINE_SECRET) all.add(line);
  }
  return [...all].sort((a, b) => b.length - a.length).map((s) => Buffer.from(s, 'utf8'));
}

/** Every occurrence of every secret in `bytes`, overlapping ones merged, in order. */
export function findSecrets(bytes: Buffer, secrets: readonly Buffer[]): Span[] {
  const found: Span[] = [];
  for (const secret of secrets) {
    for (let at = bytes.indexOf(secret); at >= 0; at = bytes.indexOf(secret, at + 1))
      found.push({ start: at, end: at + secret.length });
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const span of found) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

/** Bytes [from, to) with the given spans (inside that range) replaced by the mask. */
export function maskRange(bytes: Buffer, from: number, to: number, spans: readonly Span[]): Buffer {
  const parts: Buffer[] = [];
  let at = from;
  for (const span of spans) {
    if (span.end <= from || span.start >= to) continue;
    parts.push(bytes.subarray(at, Math.max(at, span.start)), Buffer.from(MASK));
    at = Math.min(to, span.end);
  }
  parts.push(bytes.subarray(at, to));
  return Buffer.concat(parts);
}

export function maskText(text: string, secrets: Iterable<string>): string {
  const needles = secretBytes(secrets);
  if (needles.length === 0) return text;
  const bytes = Buffer.from(text, 'utf8');
  const spans = findSecrets(bytes, needles);
  return spans.length ? maskRange(bytes, 0, bytes.length, spans).toString('utf8') : text;
}

/** A copy of plain data with every string value masked; keys, numbers and shape unchanged. */
export function maskData<T>(value: T, secrets: Iterable<string>): T {
  const list = [...secrets];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return maskText(v, list);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]));
    return v;
  };
  return walk(value) as T;
}
