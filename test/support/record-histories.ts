// With RECORD_HISTORIES=1, saves the histories of a build and its steps for the replay
// tests (test/replay): a change to workflow code that breaks determinism then fails CI.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
const { temporal } = proto;
import type { BuildWorkflowInput } from '../../workflows/types.ts';

export const HISTORY_DIR = fileURLToPath(new URL('../replay/histories/', import.meta.url));

export async function recordHistories(client: Client, input: BuildWorkflowInput): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  mkdirSync(HISTORY_DIR, { recursive: true });
  // Build ids end in -<time>-<counter>; the stable prefix names the scenario.
  const scenario = input.buildId.replace(/-\d+-\d+$/, '');
  const ids = [input.buildId];
  for (const stage of input.plan.stages)
    for (const step of stage.steps) ids.push(`${input.buildId}.${stage.name}.${step.name}`);
  for (const [index, id] of ids.entries()) {
    try {
      const history = await client.workflow.getHandle(id).fetchHistory();
      const name = index === 0 ? `${scenario}.build` : `${scenario}.${id.slice(input.buildId.length + 1)}`;
      const json = temporal.api.history.v1.History.toObject(history as proto.temporal.api.history.v1.History, {
        longs: String,
        enums: String,
        bytes: String,
      });
      writeFileSync(`${HISTORY_DIR}${name}.json`, JSON.stringify(json));
    } catch (err) {
      // A step that never started (skipped stage) has no history.
      if (!(err instanceof Error && /NOT_FOUND|not found/i.test(err.message))) throw err;
    }
  }
}
