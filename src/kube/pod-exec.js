// Runs a command in a pod's container through the API server (the `kubectl exec`
// of the pod facade). A command's outcome comes only from the exec status the kubelet
// sends; a connection that closes without one is reported as lost, never as success.
import { Writable } from 'node:stream';
import { Exec } from '@kubernetes/client-node';
/** The connection ended without an exit status: the command may still be running. */
export class ExecConnectionLost extends Error {
    name = 'ExecConnectionLost';
}
/** The kubelet refused or failed the exec itself (e.g. container not running). */
export class ExecRejected extends Error {
    name = 'ExecRejected';
}
// How long to wait for a status frame after the socket closed before calling the
// connection lost: the status is normally sent before the close.
const STATUS_AFTER_CLOSE_MS = 250;
export async function execInPod(kc, req) {
    const exec = new Exec(kc);
    let status = null;
    let settle;
    const outcome = new Promise((resolve) => (settle = resolve));
    let ws;
    try {
        ws = await exec.exec(req.namespace, req.pod, req.container, req.command, sink(req.onStdout), sink(req.onStderr), req.stdin ?? null, false, (s) => {
            status = s;
            settle(exitCodeFromStatus(s));
        });
    }
    catch (err) {
        throw new ExecConnectionLost(`exec in ${req.pod}/${req.container} could not connect: ${errorText(err)}`);
    }
    const onAbort = () => ws.close();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    ws.on('close', () => {
        setTimeout(() => {
            if (status === null)
                settle(new ExecConnectionLost(`exec in ${req.pod}/${req.container}: connection closed without an exit status`));
        }, STATUS_AFTER_CLOSE_MS);
    });
    ws.on('error', (err) => {
        if (status === null)
            settle(new ExecConnectionLost(`exec in ${req.pod}/${req.container}: ${err.message}`));
    });
    try {
        const result = await outcome;
        if (result instanceof Error)
            throw result;
        return result;
    }
    finally {
        req.signal?.removeEventListener('abort', onAbort);
        if (ws.readyState === ws.OPEN)
            ws.close();
    }
}
// The API server could not reach the node's kubelet: the command may well be running.
const UNREACHABLE = /error dialing backend|error sending request|connection refused|connection reset|no route to host|i\/o timeout|broken pipe|unexpected EOF|upgrade request failed|proxy error/i;
/**
 * Exit code from the kubelet's exec status: 0 on Success, the ExitCode cause on
 * NonZeroExitCode; a kubelet out of reach is a lost connection, anything else a rejection.
 */
export function exitCodeFromStatus(status) {
    if (status.status === 'Success')
        return 0;
    if (status.reason === 'NonZeroExitCode') {
        const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
        const code = Number.parseInt(cause?.message ?? '', 10);
        if (Number.isInteger(code))
            return code;
    }
    const message = shorten(status.message ?? `exec failed: ${status.reason ?? 'unknown reason'}`);
    if ((status.code ?? 500) >= 500 && UNREACHABLE.test(message))
        return new ExecConnectionLost(message);
    return new ExecRejected(message);
}
// Statuses can quote the whole exec URL, command included: keep messages readable.
function shorten(message) {
    const cut = message.replace(/"https?:\/\/[^"]*"/g, (url) => `"${url.slice(1, url.indexOf('?') > 0 ? url.indexOf('?') : 80)}"`);
    return cut.length > 400 ? `${cut.slice(0, 400)}…` : cut;
}
function sink(onChunk) {
    if (!onChunk)
        return null;
    return new Writable({
        write(chunk, _encoding, callback) {
            onChunk(chunk);
            callback();
        },
    });
}
function errorText(err) {
    if (err instanceof Error)
        return err.message;
    // The websocket layer rejects with an ErrorEvent-like object rather than an Error.
    if (typeof err === 'object' && err !== null && 'message' in err)
        return String(err.message);
    return String(err);
}
