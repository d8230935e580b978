// What the client writes a followed build to: the CLI's terminal, or anything else that
// prints lines. The client knows nothing of terminals.
import type { LogRecord } from '../logs/log-record.ts';
import type { StepRef } from '../store/build-store.ts';
import type { BuildResult } from '../../workflows/types.ts';

export interface BuildPrinter {
  line(text: string): void;
  logLine(step: StepRef, record: LogRecord): void;
  summary(result: BuildResult): void;
}
