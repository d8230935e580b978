// Pod names and label values: valid, deterministic, and unique per build. Names are
// readable (`wharf-<build>-<stage>-<step>`) but end in a hash of the exact names, since
// different names can read the same once made DNS-safe (stage `a-b` step `c`, and stage
// `a` step `b-c`), and long ones are cut.
import { createHash } from 'node:crypto';
import { kubernetesName } from '../definition/kubernetes-name.ts';

const MAX = 63;
const HASH_LENGTH = 8;

/** A DNS-1123 label of at most 63 characters. */
export function podName(buildId: string, stage: string, step: string): string {
  const readable = [
    'wharf',
    kubernetesName(buildId) ?? 'build',
    kubernetesName(stage) ?? 'stage',
    kubernetesName(step) ?? 'step',
  ].join('-');
  const hash = createHash('sha256').update(`${buildId}\u0000${stage}\u0000${step}`).digest('hex').slice(0, HASH_LENGTH);
  return `${readable.slice(0, MAX - HASH_LENGTH - 1).replace(/-+$/, '')}-${hash}`;
}

/** A label value: at most 63 of [A-Za-z0-9-_.], starting and ending alphanumeric. */
export function labelValue(value: string): string {
  return value
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, MAX)
    .replace(/[^A-Za-z0-9]+$/, '');
}
