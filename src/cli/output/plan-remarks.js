// What validate, plan and run say about a definition that is valid: its warnings (fields
// that are ignored) and the stages the environment filter left out. On stderr, so the
// plan on stdout stays machine-readable.
import { leftOutNote } from '../../plan/make-plan.js';
export function printPlanRemarks(planned, env) {
    for (const w of planned.warnings)
        process.stderr.write(`warning: ${w}\n`);
    const note = leftOutNote(planned.leftOut, env);
    if (note)
        process.stderr.write(`${note}\n`);
}
