// A stand-in for the API server, for fault injection only. Its exec endpoint speaks the
// channel protocol (stdin 0, stdout 1, stderr 2, status 3) over a real WebSocket, so the
// real exec client and everything above it run against output a test chooses; other
// requests (reads, lists, watches) go to a handler of the test's.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { WebSocketServer, type WebSocket } from 'ws';

export interface ExecSession {
  /** The exec's command, as the client sent it. */
  command: string[];
  ws: WebSocket;
  stdout(data: string | Buffer): void;
  stderr(data: string | Buffer): void;
  /** Sends the exit status (0 = Success) and closes the connection. */
  exit(code: number): void;
  /** Resolves with all of stdin once the client closes it (v5 close frame). */
  stdin(): Promise<Buffer>;
  /** Bytes of stdin received so far (kept only until discardStdin is called). */
  readonly stdinBytes: number;
  /** Counts stdin from now on without keeping it. */
  discardStdin(): void;
}

export interface FakeExecServer {
  kc: KubeConfig;
  close(): Promise<void>;
}

/** Answers a plain API request; returns false to let the server answer 404 Not Found. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;

export async function startFakeExecServer(
  onExec: (session: ExecSession) => void,
  onHttp: HttpHandler = () => false,
): Promise<FakeExecServer> {
  const http: Server = createServer((req, res) => {
    if (onHttp(req, res, new URL(req.url ?? '/', 'http://localhost'))) return;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', code: 404, reason: 'NotFound', message: 'not found' }));
  });
  const wss = new WebSocketServer({
    server: http,
    handleProtocols: (protocols) => (protocols.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : false),
  });
  wss.on('connection', (ws, req) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    let keep = true;
    let received = 0;
    let stdinDone!: (data: Buffer) => void;
    const stdinClosed = new Promise<Buffer>((resolve) => (stdinDone = resolve));
    ws.on('message', (data: Buffer) => {
      if (data[0] === 0) {
        received += data.length - 1;
        if (keep) chunks.push(Buffer.from(data.subarray(1)));
      } else if (data[0] === 255 && data[1] === 0) {
        stdinDone(Buffer.concat(chunks));
      }
    });
    const frame = (channel: number, data: string | Buffer): void =>
      ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
    onExec({
      command: url.searchParams.getAll('command'),
      ws,
      stdout: (data) => frame(1, data),
      stderr: (data) => frame(2, data),
      exit: (code) => {
        const status =
          code === 0
            ? { status: 'Success' }
            : {
                status: 'Failure',
                reason: 'NonZeroExitCode',
                details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
              };
        frame(3, JSON.stringify(status));
        ws.close();
      },
      stdin: () => stdinClosed,
      get stdinBytes() {
        return received;
      },
      discardStdin: () => {
        keep = false;
        chunks.length = 0;
      },
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as { port: number };
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'u' }],
    currentContext: 'fake',
  });
  return {
    kc,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      http.closeAllConnections();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/**
 * Records every uncaught exception and unhandled rejection while a test runs: the worker
 * process would die of any of them. Mocha's own handler is kept out of the way meanwhile.
 */
export function watchProcessFaults(): { faults: unknown[]; stop(): void } {
  const faults: unknown[] = [];
  const onFault = (err: unknown): void => void faults.push(err);
  const saved = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onFault);
  process.on('unhandledRejection', onFault);
  return {
    faults,
    stop() {
      process.off('uncaughtException', onFault);
      process.off('unhandledRejection', onFault);
      for (const listener of saved) process.on('uncaughtException', listener);
    },
  };
}
