// Collects a definition's errors and warnings, each positioned at a YAML node (or at the
// nearest enclosing node given, when the node is missing) and scoped by its path.
import type { Node } from 'yaml';
import type { DefinitionError } from './definition-error.ts';
import type { Position, YamlWalker } from './yaml-walk.ts';

export class Reporter {
  readonly walker: YamlWalker;
  readonly errors: DefinitionError[] = [];
  readonly warnings: DefinitionError[] = [];
  private readonly file: string;

  constructor(file: string, walker: YamlWalker) {
    this.file = file;
    this.walker = walker;
  }

  error(where: Node | null | Position, path: string, message: string): void {
    this.errors.push(this.locate(where, path, message));
  }

  warn(where: Node | null | Position, path: string, message: string): void {
    this.warnings.push(this.locate(where, path, message));
  }

  position(where: Node | null | Position): Position {
    return where !== null && 'line' in where ? where : this.walker.position(where);
  }

  /** The positioned error, without recording it. */
  locate(where: Node | null | Position, path: string, message: string): DefinitionError {
    return { file: this.file, ...this.position(where), path, message };
  }
}
