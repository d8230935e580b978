// The worker's own log (not the builds' logs): lines of text for a terminal, or one JSON
// object a line for a log collector.
export const LOG_FORMATS = ['text', 'json'];
export function createWorkerLog(format, out = process.stdout, err = process.stderr, now = () => new Date()) {
    const write = (level, message, fields = {}) => {
        if (format === 'json') {
            // One line each, whatever the message holds; the time first, as collectors expect.
            out.write(`${JSON.stringify({ time: now().toISOString(), level, msg: message, ...fields })}\n`);
            return;
        }
        // Text is for people: the message says it all; the fields are for collectors.
        (level === 'info' ? out : err).write(`worker: ${level === 'info' ? '' : `${level === 'warn' ? 'warning' : 'error'}: `}${message}\n`);
    };
    return {
        info: (message, fields) => write('info', message, fields),
        warn: (message, fields) => write('warn', message, fields),
        error: (message, fields) => write('error', message, fields),
    };
}
