// node:util parseArgs with mistakes turned into UsageErrors (no stack traces for users).
import { parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';
export function parseCommandArgs(command, argv, options) {
    try {
        return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    }
    catch (err) {
        throw new UsageError(`${command}: ${err instanceof Error ? err.message : String(err)}`);
    }
}
export function positiveInt(name, value, fallback) {
    if (value === undefined)
        return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
        throw new UsageError(`--${name} must be a whole number of at least 1, got '${value}'`);
    return n;
}
