// What a plan must fit in once it is a build's workflow input: Temporal refuses payloads
// over its blob size limit (and warns well before it), so `validate` does the same.
import { TEMPORAL_MAX_PAYLOAD_BYTES, TEMPORAL_WARN_PAYLOAD_BYTES } from '../limits/definition-limits.ts';
import type { DefinitionError } from '../yaml/definition-error.ts';
import type { BuildPlan } from './build-plan.ts';

/** Room for the rest of the workflow input (build id, source, options) and the payload's encoding. */
const INPUT_OVERHEAD_BYTES = 4096;

export function planSize(plan: BuildPlan): number {
  return Buffer.byteLength(JSON.stringify(plan), 'utf8') + INPUT_OVERHEAD_BYTES;
}

/** An error when the plan cannot be a workflow input, a warning when it comes close. */
export function planSizeProblems(plan: BuildPlan): { errors: DefinitionError[]; warnings: string[] } {
  const bytes = planSize(plan);
  const kib = (n: number): string => `${Math.ceil(n / 1024)} KiB`;
  if (bytes > TEMPORAL_MAX_PAYLOAD_BYTES) {
    return {
      errors: [
        {
          file: plan.file,
          line: 1,
          column: 1,
          path: '',
          message: `the build's plan is ${kib(bytes)} as workflow input; Temporal refuses payloads over ${kib(TEMPORAL_MAX_PAYLOAD_BYTES)} (fewer or smaller steps, or move long scripts into files)`,
        },
      ],
      warnings: [],
    };
  }
  if (bytes > TEMPORAL_WARN_PAYLOAD_BYTES)
    return {
      errors: [],
      warnings: [
        `${plan.file}:1:1 the build's plan is ${kib(bytes)} as workflow input; Temporal warns from ${kib(TEMPORAL_WARN_PAYLOAD_BYTES)} and refuses over ${kib(TEMPORAL_MAX_PAYLOAD_BYTES)}`,
      ],
    };
  return { errors: [], warnings: [] };
}
