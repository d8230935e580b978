// The codec server the Temporal Web UI calls to show encrypted payloads: POST /encode and
// POST /decode with `{"payloads": [...]}` (metadata values and data in base64, as the UI
// sends them), answered in the same form. CORS lets only the given UI origins call it. It
// decodes for whoever reaches it: bind it where only the key's holders can.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';

const MAX_BODY_BYTES = 32 * 1024 * 1024;

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Origins (scheme://host:port) allowed to call from a browser, e.g. the Temporal Web UI's; '*' for any. */
  origins: string[];
}

export function createCodecServer(options: CodecServerOptions): Server {
  return createServer((req, res) => {
    void handle(options, req, res).catch((err: unknown) =>
      reply(res, 500, { message: err instanceof Error ? err.message : String(err) }),
    );
  });
}

async function handle(options: CodecServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const origin = req.headers.origin;
  if (origin && (options.origins.includes('*') || options.origins.includes(origin))) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    res.setHeader('Vary', 'Origin');
  } else if (origin) {
    return reply(res, 403, { message: `origin ${origin} may not use this codec server` });
  }
  const path = new URL(req.url ?? '/', 'http://codec').pathname.replace(/\/+$/, '');
  if (req.method === 'OPTIONS') {
    res.writeHead(204).end();
    return;
  }
  if (req.method !== 'POST' || (path !== '/encode' && path !== '/decode'))
    return reply(res, 404, { message: 'POST /encode or /decode' });
  const body = await readBody(req);
  if (body === null) return reply(res, 413, { message: `the request is over ${MAX_BODY_BYTES} bytes` });
  let payloads: Payload[];
  try {
    const parsed = JSON.parse(body) as { payloads?: JsonPayload[] };
    if (!Array.isArray(parsed.payloads)) throw new Error('no payloads');
    payloads = parsed.payloads.map(fromJson);
  } catch {
    return reply(res, 400, { message: 'expected {"payloads": [{"metadata": {...}, "data": "..."}]}' });
  }
  const out = path === '/encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
  reply(res, 200, { payloads: out.map(toJson) });
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

export function fromJson(p: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

export function toJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? []).toString('base64'),
  };
}
