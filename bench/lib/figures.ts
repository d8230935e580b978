// What every bench script prints beside its figures: percentiles, the machine and how
// loaded it was while the figures were taken (they are noisy on a shared host).
import { cpus, loadavg, totalmem } from 'node:os';

/** The p-th percentile (0..1) by nearest rank; NaN for no samples. */
export function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export function ms(x: number): string {
  return Number.isFinite(x) ? `${Math.round(x)} ms` : 'n/a';
}

/** `p50=… p95=… max=… (n=…)` of samples in milliseconds. */
export function spread(xs: number[]): string {
  return `p50=${ms(pct(xs, 0.5))} p95=${ms(pct(xs, 0.95))} max=${ms(Math.max(...xs))} (n=${xs.length})`;
}

export function load(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

export function machine(): string {
  const c = cpus();
  return `${c.length} x ${c[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GB, Node ${process.version}`;
}

/** A header line: what runs, on what, under what load. */
export function header(what: string): void {
  console.log(`# ${what}`);
  console.log(`# machine: ${machine()}; loadavg at start: ${load()}; ${new Date().toISOString()}`);
}

/** One figure: name, value, and the load average when it was taken. */
export function figure(name: string, value: string): void {
  console.log(`${name.padEnd(44)} ${value}   [load ${load()}]`);
}
