// An error in a build definition, with where it is: file, line, column and the scope
// path (build/<stage>/<step>/<type>/<field>), printed the way compilers print errors.

export interface DefinitionError {
  file: string;
  line: number;
  column: number;
  /** e.g. `build/deploy/container/image` */
  path: string;
  message: string;
}

export function formatError(e: DefinitionError): string {
  return `${e.file}:${e.line}:${e.column} ${e.path ? `${e.path}: ` : ''}${e.message}`;
}

export function formatErrors(errors: DefinitionError[]): string {
  const lines = errors.map(formatError);
  return `${lines.join('\n')}\n${errors.length} error${errors.length === 1 ? '' : 's'}\n`;
}
