// A Temporal payload codec that encrypts every payload with AES-256-GCM, so workflow
// history (inputs, results, heartbeat details, failure details) holds no plain build data:
// the Temporal server and its operators see ciphertext. Each payload names the key it was
// encrypted with (metadata `encryption-key-id`), so keys rotate: add a new key and it
// encrypts from then on, while payloads written with older keys still decode as long as
// their keys are kept. Payloads not encrypted by this codec pass through unchanged.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { CodecKeyError, type CodecKey } from './codec-keys.ts';

const { temporal } = proto;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export { CodecKeyError, type CodecKey };

export class AesGcmCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  private readonly current: CodecKey;

  /** `keys`: every key that may have encrypted a payload; the last one encrypts. */
  constructor(keys: readonly CodecKey[]) {
    const current = keys.at(-1);
    if (!current) throw new CodecKeyError('the payload codec needs at least one key');
    for (const k of keys)
      if (k.key.length !== 32) throw new CodecKeyError(`codec key ${k.id} has ${k.key.length} bytes; AES-256 needs 32`);
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
    this.current = current;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(this.current.id) },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCRYPTED_ENCODING) return payload;
      const id = Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString();
      const key = this.keys.get(id);
      if (!key)
        throw new CodecKeyError(
          `a payload was encrypted with key '${id}', which is not among this codec's keys (${[...this.keys.keys()].join(', ')})`,
        );
      const data = Buffer.from(payload.data ?? []);
      if (data.length < IV_BYTES + TAG_BYTES) throw new CodecKeyError('an encrypted payload is too short');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new CodecKeyError(
          `a payload does not decrypt with key '${id}' (a different key under the same id, or altered data)`,
        );
      }
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}

/**
 * For clients without keys: an encrypted payload reads as null instead of failing the
 * whole call, so listing builds (which reads every build's memo) works beside encrypted
 * builds; their inputs and results stay unreadable.
 */
export class KeylessCodec implements PayloadCodec {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads;
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) =>
      Buffer.from(payload.metadata?.encoding ?? []).toString() === ENCRYPTED_ENCODING
        ? { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('null') }
        : payload,
    );
  }
}
