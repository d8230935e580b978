// Sends a sparse file of --mb MiB as a step's source through the real exec client to a
// fake exec endpoint (in a child process) that stops reading for --pause-ms, and prints
// the worker side's peak RSS and the throughput. `node bench/source-transfer.ts --mb 1536`
import { fork } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { execInPod } from '../src/kube/pod-exec.ts';
import { listSourceFiles } from '../src/source/source-files.ts';
import { packSource } from '../src/source/source-tar.ts';

if (process.argv[2] === '--receiver') {
  const { startFakeExecServer } = await import('../test/support/fake-exec-server.ts');
  const pauseMs = Number(process.argv[3]);
  const server = await startFakeExecServer((s) => {
    s.discardStdin();
    const socket = (s.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    setTimeout(() => socket.resume(), pauseMs);
    void s.stdin().then(() => s.exit(0));
  });
  process.send?.({ server: server.kc.getCurrentCluster()?.server });
} else {
  const { values } = parseArgs({
    options: { mb: { type: 'string', default: '1536' }, 'pause-ms': { type: 'string', default: '5000' } },
  });
  const root = mkdtempSync(join(tmpdir(), 'bench-transfer-'));
  const fd = openSync(join(root, 'big.img'), 'w');
  ftruncateSync(fd, Number(values.mb) * 1024 * 1024);
  closeSync(fd);
  const child = fork(new URL(import.meta.url).pathname, ['--receiver', values['pause-ms']!], {
    execArgv: process.execArgv,
  });
  const server = await new Promise<string>((resolve) =>
    child.once('message', (m: { server: string }) => resolve(m.server)),
  );
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'b', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'b', cluster: 'b', user: 'u' }],
    currentContext: 'b',
  });
  const base = process.memoryUsage().rss;
  let peak = base;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = Date.now();
  const listing = await listSourceFiles(root);
  const code = await execInPod(kc, {
    namespace: 'n',
    pod: 'p',
    container: 'c',
    command: ['tar'],
    stdin: packSource(listing.entries),
  });
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sample);
  child.kill();
  console.log(
    `source of ${values.mb} MiB, receiver paused ${values['pause-ms']} ms: exit ${code}, peak RSS ${Math.round(peak / 2 ** 20)} MiB (${Math.round((peak - base) / 2 ** 20)} MiB above start), ${seconds.toFixed(1)} s, ${(Number(values.mb) / seconds).toFixed(0)} MiB/s`,
  );
}
