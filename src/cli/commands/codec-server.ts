// `wharf-temporal codec-server`: serves the payload codec over HTTP for the Temporal Web
// UI (its "codec endpoint" setting), so that those who reach it see the encrypted inputs,
// results and failures of builds in clear.
import { AesGcmCodec } from '../../codec/aes-gcm-codec.ts';
import { codecKeysFrom } from '../../codec/codec-keys.ts';
import { createCodecServer } from '../../codec/codec-server.ts';
import { readLabStatus } from '../local-lab.ts';
import { parseCommandArgs, positiveInt } from '../parse-command-args.ts';
import { UsageError } from '../usage-error.ts';

export const HELP = `usage: wharf-temporal codec-server [options]

Serves POST /encode and /decode for the Temporal Web UI's codec endpoint, with the keys
the worker encrypts payloads with. Whoever reaches it can decode: keep it on a host and
port only the keys' holders reach.

  --port N               the port (default 8888)
  --host ADDRESS         the address to listen on (default 127.0.0.1)
  --ui-origin URL        the Web UI's origin, allowed to call from a browser (repeatable;
                         default TEMPORAL_UI_URL, else the local lab's Web UI)
  --codec-key-file PATH  the keys (WHARF_TEMPORAL_CODEC_KEY_FILE, or WHARF_TEMPORAL_CODEC_KEYS)`;

export async function codecServerCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('codec-server', argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'ui-origin': { type: 'string', multiple: true },
    'codec-key-file': { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const keys = codecKeysFrom(process.env, values['codec-key-file']);
  if (!keys)
    throw new UsageError(
      'codec-server: no codec keys: give --codec-key-file, WHARF_TEMPORAL_CODEC_KEY_FILE or WHARF_TEMPORAL_CODEC_KEYS',
    );
  const given =
    values['ui-origin'] ?? [process.env.TEMPORAL_UI_URL || readLabStatus()?.TEMPORAL_UI_URL || ''].filter(Boolean);
  const origins = given.map((url) => {
    if (url === '*') return url;
    try {
      return new URL(url).origin;
    } catch {
      throw new UsageError(`codec-server: --ui-origin ${url} is not a URL`);
    }
  });
  const port = positiveInt('port', values.port, 8888, 65535);
  const host = values.host ?? '127.0.0.1';
  const server = createCodecServer({ codec: new AesGcmCodec(keys), origins });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  process.stdout.write(
    `codec-server: http://${host}:${port} (keys ${keys.map((k) => k.id).join(', ')}; browsers from ${origins.join(', ') || 'no origin'})\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => void server.close(() => resolve());
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return 0;
}
