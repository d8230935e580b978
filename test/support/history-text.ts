// A workflow's history as the Temporal server keeps it, read with the lab's Temporal CLI
// (which has no payload codec): the raw JSON and the text of every payload in it, for
// tests that look for values that must not be there.
import { execFileSync } from 'node:child_process';
import type { Lab } from './lab.ts';

export function rawHistory(lab: Lab, workflowId: string): string {
  return execFileSync(
    lab.status.TEMPORAL_CLI!,
    ['workflow', 'show', '--address', lab.status.TEMPORAL_ADDRESS!, '-w', workflowId, '-o', 'json'],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
}

/** The raw history and every base64 `data` and metadata value in it, decoded. */
export function historyTexts(lab: Lab, workflowId: string): string[] {
  const raw = rawHistory(lab, workflowId);
  const texts = [raw];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        if ((k === 'data' || k === 'encoding') && typeof inner === 'string')
          texts.push(Buffer.from(inner, 'base64').toString('utf8'));
        walk(inner);
      }
    }
  };
  walk(JSON.parse(raw));
  return texts;
}

/** The start input payloads of a workflow, raw (as JSON, base64 fields). */
export function startPayloads(lab: Lab, workflowId: string): { metadata: Record<string, string>; data: string }[] {
  const events = (
    JSON.parse(rawHistory(lab, workflowId)) as {
      events: {
        workflowExecutionStartedEventAttributes?: {
          input?: { payloads?: { metadata: Record<string, string>; data: string }[] };
        };
      }[];
    }
  ).events;
  return events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
}
