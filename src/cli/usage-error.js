// A mistake in how a command was called: printed as a one-line message, exit code 2.
export class UsageError extends Error {
    name = 'UsageError';
}
