// The worker's own log (not the builds' logs): lines of text for a terminal, or one JSON
// object a line for a log collector.

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface WorkerLog {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function createWorkerLog(
  format: LogFormat,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  now: () => Date = () => new Date(),
): WorkerLog {
  const write = (level: LogLevel, message: string, fields: LogFields = {}): void => {
    if (format === 'json') {
      // One line each, whatever the message holds; the time first, as collectors expect.
      out.write(`${JSON.stringify({ time: now().toISOString(), level, msg: message, ...fields })}\n`);
      return;
    }
    // Text is for people: the message says it all; the fields are for collectors.
    (level === 'info' ? out : err).write(
      `worker: ${level === 'info' ? '' : `${level === 'warn' ? 'warning' : 'error'}: `}${message}\n`,
    );
  };
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}
