// A TCP relay for tests: lets pods reach a lab service bound to 127.0.0.1 through the
// real node's bridge address, or makes a service go away (close) and come back (start
// again on the same port) under a client's feet.
import { createServer, connect, type Server, type Socket } from 'node:net';

/** A TCP relay: connections to host:port (by default a port the system chooses) go on to the target. */
export interface TcpRelay {
  host: string;
  port: number;
  /** Connections relayed so far. */
  connections: number;
  close(): Promise<void>;
}

export async function startTcpRelay(host: string, target: { host: string; port: number }, port = 0): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const relay = { host, port: 0, connections: 0, close: async () => {} };
  const server: Server = createServer((inbound) => {
    relay.connections++;
    track(inbound);
    const outbound = connect(target.port, target.host);
    track(outbound);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  relay.port = (server.address() as { port: number }).port;
  relay.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return relay;
}
