// Runs a command in a pod's container through the API server (the `kubectl exec`
// of the pod facade). A command's outcome comes only from the exec status the kubelet
// sends; a connection that closes without one is reported as lost, never as success.
import { PassThrough, Writable } from 'node:stream';
import { createSecureContext, type SecureContext } from 'node:tls';
import { Exec, KubeConfig, type V1Status } from '@kubernetes/client-node';
import { PerCredentials } from './per-credentials.ts';

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  /** Sent with backpressure; an error it raises ends the exec with that error. */
  stdin?: AsyncIterable<Uint8Array>;
  /** An error thrown here ends the exec with that error (the remote process is not killed). */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Closes the connection when aborted. The remote process is not killed by that. */
  signal?: AbortSignal;
}

/** The connection ended without an exit status: the command may still be running. */
export class ExecConnectionLost extends Error {
  override name = 'ExecConnectionLost';
}

/** The kubelet refused or failed the exec itself (e.g. container not running). */
export class ExecRejected extends Error {
  override name = 'ExecRejected';
}

// How long to wait for a status frame after the socket closed before calling the
// connection lost: the status is normally sent before the close.
const STATUS_AFTER_CLOSE_MS = 250;

export async function execInPod(kc: KubeConfig, req: ExecRequest): Promise<number> {
  const exec = new Exec(withReusedTlsContext(kc));
  let status: V1Status | null = null;
  let settled = false;
  let settle!: (value: number | Error) => void;
  const outcome = new Promise<number | Error>((resolve) => {
    settle = (value) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
  });
  let ws: Awaited<ReturnType<Exec['exec']>> | undefined;
  // Whatever a callback throws (output it cannot parse, a log store that fails) ends this
  // exec with that error: it must never escape into the websocket's event handlers.
  const fail = (err: unknown): void => {
    settle(err instanceof Error ? err : new Error(String(err)));
    ws?.close();
  };
  const guarded = (onChunk: ((chunk: Buffer) => void) | undefined) =>
    onChunk &&
    ((chunk: Buffer): void => {
      if (settled) return;
      try {
        onChunk(chunk);
      } catch (err) {
        fail(err);
      }
    });
  try {
    ws = await exec.exec(
      req.namespace,
      req.pod,
      req.container,
      req.command,
      sink(guarded(req.onStdout)),
      sink(guarded(req.onStderr)),
      // stdin is pumped below, with backpressure; the client only needs to know there is one.
      req.stdin ? new PassThrough() : null,
      false,
      (s) => {
        status = s;
        settle(exitCodeFromStatus(s));
      },
    );
  } catch (err) {
    throw new ExecConnectionLost(`exec in ${req.pod}/${req.container} could not connect: ${errorText(err)}`);
  }
  const socket = ws;
  const onAbort = (): void => socket.close();
  req.signal?.addEventListener('abort', onAbort, { once: true });
  socket.on('close', () => {
    setTimeout(() => {
      if (status === null)
        settle(new ExecConnectionLost(`exec in ${req.pod}/${req.container}: connection closed without an exit status`));
    }, STATUS_AFTER_CLOSE_MS);
  });
  socket.on('error', (err: Error) => {
    if (status === null) settle(new ExecConnectionLost(`exec in ${req.pod}/${req.container}: ${err.message}`));
  });
  if (req.stdin) pumpStdin(socket, req.stdin).catch(fail);
  try {
    const result = await outcome;
    if (result instanceof Error) throw result;
    return result;
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
    if (socket.readyState === socket.OPEN) socket.close();
  }
}

type TlsParts = Pick<SecureContextOptionsOf, 'ca' | 'cert' | 'key' | 'pfx' | 'passphrase'>;
type SecureContextOptionsOf = NonNullable<Parameters<typeof createSecureContext>[0]>;
const views = new WeakMap<KubeConfig, KubeConfig>();

/**
 * `kc` as exec connections see it, with one TLS context per set of credentials instead
 * of a new one at every connection: making one parses the private key and the CAs, which
 * cost a step more CPU than the rest of its exec. New credentials (a rotated certificate)
 * make a new context.
 */
export function withReusedTlsContext(kc: KubeConfig): KubeConfig {
  const known = views.get(kc);
  if (known) return known;
  const contexts = new PerCredentials<SecureContext>();
  const view = Object.create(kc) as KubeConfig;
  view.applyToHTTPSOptions = async (opts) => {
    await KubeConfig.prototype.applyToHTTPSOptions.call(view, opts);
    const tls = opts as TlsParts & { secureContext?: SecureContext };
    const parts: TlsParts = { ca: tls.ca, cert: tls.cert, key: tls.key, pfx: tls.pfx, passphrase: tls.passphrase };
    tls.secureContext = contexts.get(parts, () => createSecureContext(definedOnly(parts)));
  };
  views.set(kc, view);
  return view;
}

function definedOnly(parts: TlsParts): TlsParts {
  return Object.fromEntries(Object.entries(parts).filter(([, v]) => v !== undefined)) as TlsParts;
}

/** Bytes of stdin queued on the connection before the sender waits for them to leave. */
export const STDIN_HIGH_WATER_BYTES = 1024 * 1024;
const STDIN_CHANNEL = 0;
const CLOSE_CHANNEL = 255;

type ExecSocket = Awaited<ReturnType<Exec['exec']>>;

/**
 * Sends stdin in channel frames, waiting whenever more than STDIN_HIGH_WATER_BYTES are
 * queued, so a slow receiver slows the reader instead of filling the worker's memory.
 * A read error rejects (the caller ends the exec with it); a closed connection stops it.
 */
async function pumpStdin(ws: ExecSocket, stdin: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const chunk of stdin) {
    if (ws.readyState !== ws.OPEN) return;
    const frame = Buffer.allocUnsafe(chunk.length + 1);
    frame[0] = STDIN_CHANNEL;
    frame.set(chunk, 1);
    if (ws.bufferedAmount + frame.length <= STDIN_HIGH_WATER_BYTES) {
      ws.send(frame);
      continue;
    }
    const sent = await new Promise<boolean>((resolve) => ws.send(frame, (err?: Error) => resolve(!err)));
    if (!sent) return; // the connection failed: its close or error reports it
  }
  if (ws.readyState !== ws.OPEN) return;
  // The v5 protocol closes stdin alone; older ones only by closing the connection.
  if (ws.protocol === 'v5.channel.k8s.io') ws.send(Buffer.from([CLOSE_CHANNEL, STDIN_CHANNEL]));
  else ws.close();
}

// The API server could not reach the node's kubelet: the command may well be running.
const UNREACHABLE =
  /error dialing backend|error sending request|connection refused|connection reset|no route to host|i\/o timeout|broken pipe|unexpected EOF|upgrade request failed|proxy error/i;

/**
 * Exit code from the kubelet's exec status: 0 on Success, the ExitCode cause on
 * NonZeroExitCode; a kubelet out of reach is a lost connection, anything else a rejection.
 */
export function exitCodeFromStatus(status: V1Status): number | ExecRejected | ExecConnectionLost {
  if (status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number.parseInt(cause?.message ?? '', 10);
    if (Number.isInteger(code)) return code;
  }
  const message = shorten(status.message ?? `exec failed: ${status.reason ?? 'unknown reason'}`);
  if ((status.code ?? 500) >= 500 && UNREACHABLE.test(message)) return new ExecConnectionLost(message);
  return new ExecRejected(message);
}

// Statuses can quote the whole exec URL, command included: keep messages readable.
function shorten(message: string): string {
  const cut = message.replace(
    /"https?:\/\/[^"]*"/g,
    (url) => `"${url.slice(1, url.indexOf('?') > 0 ? url.indexOf('?') : 80)}"`,
  );
  return cut.length > 400 ? `${cut.slice(0, 400)}…` : cut;
}

function sink(onChunk: ((chunk: Buffer) => void) | undefined): Writable | null {
  if (!onChunk) return null;
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      onChunk(chunk);
      callback();
    },
  });
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  // The websocket layer rejects with an ErrorEvent-like object rather than an Error.
  if (typeof err === 'object' && err !== null && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}
