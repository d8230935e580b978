// An error in a build definition, with where it is: file, line, column and the scope
// path (build/<stage>/<step>/<type>/<field>), printed the way compilers print errors.

export interface DefinitionError {
  file: string;
  line: number;
  column: number;
  /** e.g. `build/deploy/container/image`; empty for the whole file. */
  path: string;
  message: string;
}

export function formatError(e: DefinitionError): string {
  return `${e.file}:${e.line}:${e.column} ${e.path ? `${e.path}: ` : ''}${e.message}`;
}

/** Every error on its own line, then a count (what `validate` and `plan` print). */
export function formatErrors(errors: DefinitionError[]): string {
  const lines = errors.map(formatError);
  return `${lines.join('\n')}\n${errors.length} error${errors.length === 1 ? '' : 's'}\n`;
}

/** File order, as wharf-cmd sorts them: by file, then line, then column (stable otherwise). */
export function sortErrors(errors: DefinitionError[]): DefinitionError[] {
  return [...errors].sort(
    (a, b) => (a.file === b.file ? 0 : a.file < b.file ? -1 : 1) || a.line - b.line || a.column - b.column,
  );
}
