// Finds the Temporal CLI the lab installed, for tests that start their own dev server.
import { readLabStatus } from '../../src/cli/local-lab.ts';

export function temporalCliPath(): string {
  const path = process.env.TEMPORAL_CLI ?? readLabStatus()?.TEMPORAL_CLI;
  if (!path) throw new Error('no Temporal CLI: run `npm run lab:up` (or set TEMPORAL_CLI)');
  return path;
}
