// One value per set of credentials (CAs, certificate, key and the other connection
// options): kept while they stay the same, made anew when they change (a rotated
// certificate read again from its file), the value it replaces handed to `retire`.
import { createHash } from 'node:crypto';

export class PerCredentials<T> {
  private kept: { key: string; value: T } | undefined;
  private readonly retire: ((old: T) => void) | undefined;

  constructor(retire?: (old: T) => void) {
    this.retire = retire;
  }

  get(credentials: unknown, make: () => T): T {
    const key = keyOf(credentials);
    if (this.kept?.key === key) return this.kept.value;
    const old = this.kept;
    this.kept = { key, value: make() };
    if (old) this.retire?.(old.value);
    return this.kept.value;
  }
}

/** The credentials as a string, certificates and keys by their digest. */
function keyOf(credentials: unknown): string {
  return JSON.stringify(credentials, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    return Buffer.isBuffer(raw) ? createHash('sha256').update(raw).digest('hex') : value;
  });
}
