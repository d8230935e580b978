// Restarts one process of the running lab (the kube-apiserver, the Temporal server) in
// place: the same command line, its own session as lab.sh starts it, output appended to
// its log, its pid file updated so `lab.sh down` still ends it.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface LabProcess {
  name: string;
  pidFile: string;
  logFile: string;
}

/** The lab's processes, found from its status (KUBECONFIG lives in .lab/kube). */
export function labProcesses(status: Record<string, string>): { apiServer: LabProcess; temporal: LabProcess } {
  const kube = dirname(status.KUBECONFIG!);
  const temporal = join(dirname(kube), 'temporal');
  return {
    apiServer: {
      name: 'kube-apiserver',
      pidFile: join(kube, 'run', 'kube-apiserver.pid'),
      logFile: join(kube, 'logs', 'kube-apiserver.log'),
    },
    temporal: { name: 'Temporal server', pidFile: join(temporal, 'server.pid'), logFile: join(temporal, 'server.log') },
  };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Stops the process (its whole group) and starts it again; resolves once `ready` says so. Returns the ms it was away. */
export async function restartLabProcess(p: LabProcess, ready: () => Promise<boolean>): Promise<number> {
  const pid = Number(readFileSync(p.pidFile, 'utf8').trim());
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const cwd = readlinkSync(`/proc/${pid}/cwd`);
  const began = Date.now();
  process.kill(-pid, 'SIGTERM');
  for (let i = 0; alive(pid) && i < 100; i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(-pid, 'SIGKILL');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
  const out = openSync(p.logFile, 'a');
  const child = spawn(argv[0]!, argv.slice(1), { cwd, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  writeFileSync(p.pidFile, `${child.pid}\n`);
  const deadline = Date.now() + 120_000;
  while (!(await ready().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${p.name} did not come back within 120 s (see ${p.logFile})`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return Date.now() - began;
}
