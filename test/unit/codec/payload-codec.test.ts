// The payload codec: encrypted payloads hold no plain data, decode with the key, name the
// key they need; keys rotate; the codec server answers the Web UI's calls, CORS included.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmCodec, KeylessCodec, type CodecKey } from '../../../src/codec/aes-gcm-codec.ts';
import { codecKeysFrom } from '../../../src/codec/codec-keys.ts';
import { createCodecServer, fromJson, toJson } from '../../../src/codec/codec-server.ts';

const key = (id: string): CodecKey => ({ id, key: randomBytes(32) });
const plain = defaultPayloadConverter.toPayload({ cmds: ['echo build-input-marker'] });

describe('payload codec', () => {
  it('encrypts a payload so that nothing of it reads in clear, and decodes it back', async () => {
    const codec = new AesGcmCodec([key('k1')]);
    const [encrypted] = await codec.encode([plain]);
    assert.equal(Buffer.from(encrypted!.metadata!.encoding!).toString(), 'binary/encrypted');
    assert.equal(Buffer.from(encrypted!.metadata!['encryption-key-id']!).toString(), 'k1');
    assert.ok(!Buffer.from(encrypted!.data!).includes('build-input-marker'));
    assert.ok(!Buffer.from(encrypted!.data!).includes('json/plain'));
    const [decoded] = await codec.decode([encrypted!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), { cmds: ['echo build-input-marker'] });
    assert.deepEqual(await codec.decode([plain]), [plain], 'a payload it did not encrypt passes through');
  });

  it('rotates keys: a new key encrypts, payloads of the old one still decode; without the old key they name it', async () => {
    const [k1, k2] = [key('2026-01'), key('2026-02')];
    const [old] = await new AesGcmCodec([k1]).encode([plain]);
    const rotated = new AesGcmCodec([k1, k2]);
    assert.deepEqual(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!), {
      cmds: ['echo build-input-marker'],
    });
    const [fresh] = await rotated.encode([plain]);
    assert.equal(Buffer.from(fresh!.metadata!['encryption-key-id']!).toString(), '2026-02');
    await assert.rejects(
      new AesGcmCodec([k2]).decode([old!]),
      /encrypted with key '2026-01', which is not among this codec's keys \(2026-02\)/,
    );
    await assert.rejects(
      new AesGcmCodec([{ id: '2026-01', key: randomBytes(32) }]).decode([old!]),
      /does not decrypt with key '2026-01'/,
    );
  });

  it('lets a client without keys read an encrypted payload as null, and others as they are', async () => {
    const [encrypted] = await new AesGcmCodec([key('k1')]).encode([plain]);
    const [unreadable, readable] = await new KeylessCodec().decode([encrypted!, plain]);
    assert.equal(defaultPayloadConverter.fromPayload(unreadable!), null);
    assert.deepEqual(readable, plain);
  });

  it('reads keys from a file or the environment, refusing malformed ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    const [a, b] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    writeFileSync(join(dir, 'keys'), `# rotated monthly\nold ${a}\nnew ${b}\n`);
    assert.deepEqual(
      codecKeysFrom({ WHARF_TEMPORAL_CODEC_KEY_FILE: join(dir, 'keys') })?.map((k) => k.id),
      ['old', 'new'],
    );
    assert.deepEqual(
      codecKeysFrom({ WHARF_TEMPORAL_CODEC_KEYS: `x:${a}` })?.map((k) => k.key.toString('base64')),
      [a],
    );
    assert.equal(codecKeysFrom({}), null);
    assert.throws(() => codecKeysFrom({ WHARF_TEMPORAL_CODEC_KEYS: 'x:c2hvcnQ=' }), /key x must be 32 bytes in base64/);
    assert.throws(() => codecKeysFrom({ WHARF_TEMPORAL_CODEC_KEYS: `x:${a},x:${b}` }), /given twice/);
    assert.throws(() => codecKeysFrom({}, join(dir, 'missing')), /cannot read the codec key file .*ENOENT/);
  });

  it('serves /encode and /decode to the Web UI origin, and no other', async () => {
    const codec = new AesGcmCodec([key('k1')]);
    const server = createCodecServer({ codec, origins: ['http://127.0.0.1:8233'] });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ui = { Origin: 'http://127.0.0.1:8233', 'Content-Type': 'application/json', 'X-Namespace': 'default' };
      const preflight = await fetch(`${base}/decode`, {
        method: 'OPTIONS',
        headers: { Origin: ui.Origin, 'Access-Control-Request-Method': 'POST' },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), ui.Origin);
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
      const encoded = await fetch(`${base}/encode`, {
        method: 'POST',
        headers: ui,
        body: JSON.stringify({ payloads: [toJson(plain)] }),
      });
      const { payloads } = (await encoded.json()) as { payloads: ReturnType<typeof toJson>[] };
      assert.equal(Buffer.from(payloads[0]!.metadata!.encoding!, 'base64').toString(), 'binary/encrypted');
      const decoded = await fetch(`${base}/decode`, {
        method: 'POST',
        headers: ui,
        body: JSON.stringify({ payloads }),
      });
      const back = (await decoded.json()) as { payloads: ReturnType<typeof toJson>[] };
      assert.deepEqual(defaultPayloadConverter.fromPayload(fromJson(back.payloads[0]!)), {
        cmds: ['echo build-input-marker'],
      });
      const other = await fetch(`${base}/decode`, {
        method: 'POST',
        headers: { ...ui, Origin: 'http://evil.example' },
        body: JSON.stringify({ payloads }),
      });
      assert.equal(other.status, 403);
      assert.equal(other.headers.get('access-control-allow-origin'), null);
      assert.equal((await fetch(`${base}/decode`, { method: 'POST', body: 'nope' })).status, 400);
      assert.equal((await fetch(`${base}/other`, { method: 'POST', body: '{}' })).status, 404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
