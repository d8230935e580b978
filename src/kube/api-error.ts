// Classifies errors from the Kubernetes API so callers can tell transient trouble
// (retry) from permanent rejections (fail the step with the API server's message).
import { ApiException } from '@kubernetes/client-node';

export interface ApiErrorInfo {
  /** HTTP status, or null when the request never got an answer (network error). */
  status: number | null;
  /** The Status object's `reason` (e.g. AlreadyExists, NotFound, Invalid), when there is one. */
  reason: string | null;
  message: string;
  /** True for errors worth retrying: no answer, 429, 5xx. */
  transient: boolean;
}

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

export function describeApiError(err: unknown): ApiErrorInfo {
  if (err instanceof ApiException) {
    const body = parseBody(err.body);
    const status = err.code;
    return {
      status,
      reason: typeof body?.reason === 'string' ? body.reason : null,
      message: typeof body?.message === 'string' ? body.message : (err.message.split('\n')[0] ?? err.message),
      transient: status === 429 || status >= 500,
    };
  }
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : null;
  // undici says only "fetch failed"; the reason (connection refused, ...) is its cause.
  const message =
    err instanceof Error ? `${err.message}${cause && !err.message.includes(cause) ? ` (${cause})` : ''}` : String(err);
  const code = networkCode(err);
  return {
    status: null,
    reason: code,
    message,
    transient: code === null || TRANSIENT_NETWORK_CODES.has(code) || /socket hang up|fetch failed/i.test(message),
  };
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiException && err.code === 404;
}

export function isConflict(err: unknown): boolean {
  return err instanceof ApiException && err.code === 409;
}

// On 404/409/410 the client hands back the body as a JSON string, otherwise as an object.
function parseBody(body: unknown): Record<string, unknown> | null {
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : null;
}

function networkCode(err: unknown): string | null {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
