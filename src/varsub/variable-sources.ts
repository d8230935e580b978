// The variable sources outside the definition, gathered by I/O (environment, files, git)
// into plain layers, in wharf-cmd's order after the build's own ids: WHARF_VAR_*
// environment variables, .wharf-vars.yml files (nearest first), then git.
import { resolve } from 'node:path';
import type { DefinitionError } from '../yaml/definition-error.ts';
import { environVariables } from './environ-variables.ts';
import { gitVariables } from './git-variables.ts';
import type { VarValue } from './substitute.ts';
import { readVarsFile, varsFilePaths } from './vars-files.ts';

export interface VariableLayer {
  /** Where the variables come from, for messages. */
  source: string;
  variables: Record<string, VarValue>;
}

export function gatherVariableSources(
  dir: string,
  environ: NodeJS.ProcessEnv,
): { layers: VariableLayer[]; errors: DefinitionError[] } {
  const layers: VariableLayer[] = [
    { source: 'WHARF_VAR_* environment variables', variables: environVariables(environ) },
  ];
  const errors: DefinitionError[] = [];
  for (const path of varsFilePaths(dir, environ)) {
    const file = readVarsFile(path);
    if (!file) continue;
    errors.push(...file.errors);
    layers.push({ source: path, variables: file.variables });
  }
  layers.push({ source: 'git', variables: gitVariables(resolve(dir)) });
  return { layers, errors };
}
