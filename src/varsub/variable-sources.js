// The variable sources outside the definition, gathered by I/O (environment, files, git)
// into plain layers, in wharf-cmd's order after the build's own ids: WHARF_VAR_*
// environment variables, .wharf-vars.yml files (nearest first), then git.
import { resolve } from 'node:path';
import { environVariables } from './environ-variables.js';
import { gitVariables } from './git-variables.js';
import { readVarsFile, varsFilePaths } from './vars-files.js';
export function gatherVariableSources(dir, environ) {
    const layers = [{ source: 'WHARF_VAR_* environment variables', variables: environVariables(environ) }];
    const errors = [];
    for (const path of varsFilePaths(dir, environ)) {
        const file = readVarsFile(path);
        if (!file)
            continue;
        errors.push(...file.errors);
        layers.push({ source: path, variables: file.variables });
    }
    layers.push({ source: 'git', variables: gitVariables(resolve(dir)) });
    return { layers, errors };
}
