// Terminal output: stage/step prefixes, colored only on a TTY (and never with NO_COLOR).
import type { LogRecord } from '../../logs/log-record.ts';
import type { StepRef } from '../../store/build-store.ts';
import type { BuildResult, RunStatus } from '../../../workflows/types.ts';

const PALETTE = [36, 35, 33, 32, 34, 96, 95, 93, 92, 94];

export class Terminal {
  readonly color: boolean;
  private readonly out: NodeJS.WriteStream;

  constructor(out: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env) {
    this.out = out;
    this.color = Boolean(out.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
  }

  paint(code: number, text: string): string {
    return this.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  }

  line(text: string): void {
    this.out.write(`${text}\n`);
  }

  logLine(step: StepRef, record: LogRecord): void {
    const prefix = this.paint(colorFor(`${step.stage}/${step.step}`), `[${step.stage}/${step.step}]`);
    const text =
      record.s === 'sys'
        ? this.paint(2, `wharf-temporal: ${record.l}`)
        : record.s === 'err'
          ? this.paint(31, record.l)
          : record.l;
    this.line(`${prefix} ${text}`);
  }

  summary(result: BuildResult): void {
    this.line('');
    this.line(`${this.status(result.status)} build ${result.buildId} in ${seconds(result.durationMs)}`);
    for (const stage of result.stages) {
      this.line(
        `  ${this.status(stage.status)} ${stage.name}${stage.status === 'skipped' ? '' : ` (${seconds(stage.durationMs)})`}`,
      );
      for (const step of stage.steps) {
        const timing =
          step.status === 'skipped' || step.status === 'pending'
            ? ''
            : ` (${seconds(step.durationMs)}${step.phase && step.status === 'running' ? `, ${step.phase}` : ''})`;
        this.line(
          `      ${this.status(step.status)} ${step.name} [${step.type}]${timing}${step.error ? `: ${step.error}` : ''}`,
        );
      }
    }
  }

  status(status: RunStatus): string {
    const [code, label] = STATUS_STYLE[status];
    return this.paint(code, label.padEnd(9));
  }
}

const STATUS_STYLE: Record<RunStatus, [number, string]> = {
  pending: [2, 'pending'],
  running: [36, 'running'],
  success: [32, 'success'],
  failed: [31, 'failed'],
  cancelled: [33, 'cancelled'],
  skipped: [2, 'skipped'],
};

function colorFor(key: string): number {
  let hash = 0;
  for (const ch of key) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
