// A line from wharf-temporal itself in a step's log (pod ready, source sent, cluster out of
// reach). Written in the background: a store that is away never holds up or fails the
// activity; the line waits in memory and is written when the store answers.
import type { StepLogRef } from '../workflows/types.ts';
import type { ActivityDeps } from './deps.ts';

/** Resolves once the lines are stored, or after `waitMs` (they are still written later). */
export function remark(deps: ActivityDeps, ref: StepLogRef, lines: string[], waitMs = 2000): Promise<void> {
  const stored = (async () => {
    const log = await openWithRetry(deps, ref);
    for (const text of lines) log.note(text);
    await log.flush();
  })().catch((err: unknown) =>
    deps.stepLog?.onTrouble?.(`step ${ref.stage}/${ref.step}: a remark was not stored: ${String(err)}`),
  );
  return Promise.race([stored, new Promise<void>((resolve) => setTimeout(resolve, waitMs).unref())]);
}

const RETRY_MS = 1000;
const GIVE_UP_MS = 30 * 60_000;

async function openWithRetry(deps: ActivityDeps, ref: StepLogRef) {
  const began = Date.now();
  for (;;) {
    try {
      return await deps.store.openStep(ref, deps.stepLog);
    } catch (err) {
      if (Date.now() - began > GIVE_UP_MS) throw err;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
