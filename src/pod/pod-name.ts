// Pod names and label values: valid, deterministic, and unique per build even when cut.
import { createHash } from 'node:crypto';
import { kubernetesName } from '../definition/kubernetes-name.ts';

const MAX = 63;

/** `wharf-<build>-<stage>-<step>`, cut to 63 characters with a hash of the whole kept. */
export function podName(buildId: string, stage: string, step: string): string {
  const full = ['wharf', kubernetesName(buildId) ?? 'build', kubernetesName(stage) ?? 'stage', kubernetesName(step) ?? 'step'].join('-');
  if (full.length <= MAX) return full;
  const hash = createHash('sha256').update(`${buildId}\u0000${stage}\u0000${step}`).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX - 9).replace(/-+$/, '')}-${hash}`;
}

/** A label value: at most 63 of [A-Za-z0-9-_.], starting and ending alphanumeric. */
export function labelValue(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, MAX).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned;
}
