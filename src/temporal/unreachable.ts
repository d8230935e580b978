// The error for a Temporal server that does not answer, shared by the CLI's client and the worker.

/** A connection failure that names the server it tried and how to start the local one. */
export function unreachable(address: string, err: unknown): Error {
  const reason = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
  return new Error(`cannot reach the Temporal server at ${address} (${reason}); for the local lab: npm run lab:up`);
}
