// The build's and its steps' results held within the payload byte bounds
// (src/limits/payload-bytes.ts), as the workflows return and report them.
import { boundLogTail, byteLength, clipBytes, PayloadLimits } from '../src/limits/payload-bytes.ts';
import type { BuildResult, StepResult } from './types.ts';

/** The patch under which workflows hold their payloads within these bounds. */
export const BOUNDED_PAYLOADS = 'bounded-payloads';

export function boundStepResult(step: StepResult): StepResult {
  return {
    ...step,
    name: clipBytes(step.name, PayloadLimits.labelBytes),
    error: step.error === null ? null : clipBytes(step.error, PayloadLimits.errorBytes),
    logTail: boundLogTail(step.logTail),
  };
}

/**
 * The build's result within its byte budget: steps bounded one by one, then, while it is
 * still too big, the log tails dropped (the logs are in the log store), then the errors
 * cut short, then the steps of the stages summarized away.
 */
export function boundBuildResult(result: BuildResult, budget: number = PayloadLimits.buildResultBytes): BuildResult {
  let bounded: BuildResult = {
    ...result,
    stages: result.stages.map((s) => ({ ...s, steps: s.steps.map(boundStepResult) })),
  };
  const fits = (r: BuildResult): boolean => byteLength(JSON.stringify(r)) <= budget;
  if (fits(bounded)) return bounded;
  bounded = {
    ...bounded,
    stages: bounded.stages.map((s) => ({ ...s, steps: s.steps.map((st) => ({ ...st, logTail: [] })) })),
  };
  if (fits(bounded)) return bounded;
  bounded = {
    ...bounded,
    stages: bounded.stages.map((s) => ({
      ...s,
      steps: s.steps.map((st) => ({ ...st, error: st.error === null ? null : clipBytes(st.error, 200) })),
    })),
  };
  if (fits(bounded)) return bounded;
  return { ...bounded, stages: bounded.stages.map((s) => ({ ...s, name: clipBytes(s.name, 200), steps: [] })) };
}
