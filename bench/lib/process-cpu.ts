// Where a round's CPU went: the CPU time of the machine's processes, summed by name
// (/proc/PID/stat, with the time of children they waited for), and the machine's busy
// time (/proc/stat). Linux only.
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc's CPU times on Linux. */
const TICKS_PER_SECOND = 100;

export interface CpuSnapshot {
  /** CPU seconds by process name (comm), children it waited for included. */
  byName: Map<string, number>;
  /** The machine's busy CPU seconds, all cores together. */
  busy: number;
}

export function cpuSnapshot(): CpuSnapshot {
  const byName = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // "pid (comm) state ..." where comm may hold spaces and parentheses.
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const name = stat.slice(open + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // After the state (index 0): utime 11, stime 12, cutime 13, cstime 14.
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
    byName.set(name, (byName.get(name) ?? 0) + ticks / TICKS_PER_SECOND);
  }
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
  const busy = cpu.slice(0, 8).reduce((sum, v, i) => (i === 3 || i === 4 ? sum : sum + v), 0) / TICKS_PER_SECOND;
  return { byName, busy };
}

/** The CPU seconds used between two snapshots, by name, largest first (names that used none left out). */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): { byName: [string, number][]; busy: number } {
  const byName: [string, number][] = [];
  for (const [name, seconds] of after.byName) {
    const used = seconds - (before.byName.get(name) ?? 0);
    if (used > 0.05) byName.push([name, used]);
  }
  byName.sort((a, b) => b[1] - a[1]);
  return { byName, busy: after.busy - before.busy };
}
