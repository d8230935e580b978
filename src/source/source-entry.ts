// One entry of a step's source tree, as the listing found it and the tar carries it.

export type SourceEntry =
  | { type: 'file'; path: string; source: string; size: number; mode: number; mtime: Date }
  | { type: 'file'; path: string; content: Buffer; size: number; mode: number; mtime: Date }
  | { type: 'symlink'; path: string; target: string; mtime: Date }
  | { type: 'directory'; path: string; mode: number; mtime: Date };

/** A file could not be read while it was being sent (unreadable, vanished, changed size). */
export class SourceReadError extends Error {
  override name = 'SourceReadError';
  readonly path: string;
  /** The system's error code (EACCES, ENOENT, ...), or 'CHANGED' for a file that changed size. */
  readonly code: string;

  constructor(path: string, code: string, message: string) {
    super(message);
    this.path = path;
    this.code = code;
  }
}
