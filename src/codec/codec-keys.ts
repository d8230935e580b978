// Where the payload codec's keys come from: WHARF_TEMPORAL_CODEC_KEY_FILE (a file with one
// key a line, `<id> <base64 of 32 bytes>`, `#` comments) or WHARF_TEMPORAL_CODEC_KEYS (the
// same pairs as `id:base64`, comma-separated). The last key encrypts; all decrypt. No key
// configured: payloads are not encrypted.
import { readFileSync } from 'node:fs';

export interface CodecKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export class CodecKeyError extends Error {
  override name = 'CodecKeyError';
}

export const CODEC_KEY_ENV = { file: 'WHARF_TEMPORAL_CODEC_KEY_FILE', keys: 'WHARF_TEMPORAL_CODEC_KEYS' } as const;

/** The configured keys, or null when none is. A key file flag wins over the environment. */
export function codecKeysFrom(env: NodeJS.ProcessEnv, keyFile?: string): CodecKey[] | null {
  const file = keyFile || env[CODEC_KEY_ENV.file];
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CodecKeyError(
        `cannot read the codec key file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
    const pairs = text
      .split('\n')
      .map((line, i) => [line.replace(/#.*/, '').trim(), i + 1] as const)
      .filter(([line]) => line !== '');
    return parseKeys(pairs.map(([line, n]) => [line.split(/\s+/), `${file}:${n}`] as const));
  }
  const inline = env[CODEC_KEY_ENV.keys];
  if (!inline) return null;
  return parseKeys(
    inline.split(',').map((p, i) => [p.trim().split(':'), `${CODEC_KEY_ENV.keys} entry ${i + 1}`] as const),
  );
}

function parseKeys(entries: readonly (readonly [string[], string])[]): CodecKey[] {
  const keys: CodecKey[] = [];
  for (const [parts, where] of entries) {
    const [id, encoded] = parts;
    if (parts.length !== 2 || !id || !encoded) throw new CodecKeyError(`${where}: expected a key id and a base64 key`);
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id))
      throw new CodecKeyError(`${where}: key id '${id}' may hold only letters, digits, '.', '_' and '-'`);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) {
      throw new CodecKeyError(`${where}: key ${id} must be 32 bytes in base64 (openssl rand -base64 32)`);
    }
    if (keys.some((k) => k.id === id)) throw new CodecKeyError(`${where}: key id ${id} is given twice`);
    keys.push({ id, key });
  }
  if (keys.length === 0) throw new CodecKeyError('no codec key given');
  return keys;
}
