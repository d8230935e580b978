// Runs a command in a pod's container through the API server (the `kubectl exec`
// of the pod facade). A command's outcome comes only from the exec status the kubelet
// sends; a connection that closes without one is reported as lost, never as success.
import { Writable, type Readable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  stdin?: Readable;
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
  const exec = new Exec(kc);
  let status: V1Status | null = null;
  let settle!: (value: number | Error) => void;
  const outcome = new Promise<number | Error>((resolve) => (settle = resolve));
  let ws: Awaited<ReturnType<Exec['exec']>>;
  try {
    ws = await exec.exec(
      req.namespace, req.pod, req.container, req.command,
      sink(req.onStdout), sink(req.onStderr), req.stdin ?? null, false,
      (s) => {
        status = s;
        settle(exitCodeFromStatus(s));
      },
    );
  } catch (err) {
    throw new ExecConnectionLost(`exec in ${req.pod}/${req.container} could not connect: ${errorText(err)}`);
  }
  const onAbort = (): void => ws.close();
  req.signal?.addEventListener('abort', onAbort, { once: true });
  ws.on('close', () => {
    setTimeout(() => {
      if (status === null) settle(new ExecConnectionLost(`exec in ${req.pod}/${req.container}: connection closed without an exit status`));
    }, STATUS_AFTER_CLOSE_MS);
  });
  ws.on('error', (err: Error) => {
    if (status === null) settle(new ExecConnectionLost(`exec in ${req.pod}/${req.container}: ${err.message}`));
  });
  try {
    const result = await outcome;
    if (result instanceof Error) throw result;
    return result;
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
    if (ws.readyState === ws.OPEN) ws.close();
  }
}

// The API server could not reach the node's kubelet: the command may well be running.
const UNREACHABLE = /error dialing backend|error sending request|connection refused|connection reset|no route to host|i\/o timeout|broken pipe|unexpected EOF|upgrade request failed|proxy error/i;

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
  const cut = message.replace(/"https?:\/\/[^"]*"/g, (url) => `"${url.slice(1, url.indexOf('?') > 0 ? url.indexOf('?') : 80)}"`);
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
