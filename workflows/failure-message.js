// The one-line reason a failure gives, taken from the deepest cause that has one, so
// "activity task failed" wrappers never hide what actually went wrong.
import { ApplicationFailure, TemporalFailure, TimeoutFailure } from '@temporalio/common';
export function failureMessage(err) {
    let current = err;
    let message = err instanceof Error ? err.message : String(err);
    while (current instanceof TemporalFailure) {
        if (current instanceof TimeoutFailure)
            return `timed out (${current.timeoutType})`;
        if (current instanceof ApplicationFailure)
            message = current.message;
        if (!current.cause)
            break;
        current = current.cause;
    }
    if (current instanceof Error && !(current instanceof TemporalFailure))
        message = current.message;
    return message;
}
/** The type of the timeout behind a failure (START_TO_CLOSE, ...), or null when none is. */
export function timeoutOf(err) {
    for (let current = err; current instanceof TemporalFailure; current = current.cause) {
        if (current instanceof TimeoutFailure)
            return String(current.timeoutType);
    }
    return null;
}
/** The first detail of the deepest ApplicationFailure, where steps and builds put their result. */
export function failureDetail(err) {
    let current = err;
    let found;
    while (current instanceof TemporalFailure) {
        if (current instanceof ApplicationFailure && current.details?.length)
            found = current.details[0];
        current = current.cause;
    }
    return found;
}
