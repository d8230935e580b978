// One stored log line. Stored as JSON lines, one file per build step.

export type LogStream = 'out' | 'err' | 'sys';

export interface LogRecord {
  /** Milliseconds since the epoch when the worker received the line. */
  t: number;
  /** stdout, stderr, or a line from wharf-temporal itself about the step. */
  s: LogStream;
  /** For out/err: the stream offset just past the line, used to resume without duplicates. */
  o?: number;
  /** The text, secrets masked. */
  l: string;
}

export function parseLogRecords(text: string): LogRecord[] {
  const records: LogRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const r = JSON.parse(line) as LogRecord;
      if (typeof r.t === 'number' && typeof r.l === 'string') records.push(r);
    } catch {
      // A torn last line from a crash mid-write: ignore it, the resume offset re-reads it.
    }
  }
  return records;
}
