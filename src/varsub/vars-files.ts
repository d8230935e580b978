// .wharf-vars.yml files: where wharf-cmd looks for them (the definition's folder and every
// parent, nearest first, then the user's config folder, then the system's) and their
// `vars:` maps. Mistakes in them are positioned errors, as in the definition itself.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isMap } from 'yaml';
import type { DefinitionError } from '../yaml/definition-error.ts';
import { Reporter } from '../yaml/reporter.ts';
import { loadYaml } from '../yaml/yaml-document.ts';
import { kindOf, scalarValue } from '../yaml/yaml-walk.ts';
import type { VarValue } from './substitute.ts';

/** The vars files that apply to `dir`, highest priority first. */
export function varsFilePaths(dir: string, environ: NodeJS.ProcessEnv): string[] {
  const paths: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    paths.push(join(current, '.wharf-vars.yml'));
    if (dirname(current) === current) break;
  }
  const config = environ.XDG_CONFIG_HOME || join(environ.HOME || homedir(), '.config');
  paths.push(join(config, 'iver-wharf', 'wharf-cmd', 'wharf-vars.yml'));
  paths.push('/etc/iver-wharf/wharf-cmd/wharf-vars.yml');
  return paths;
}

/** Reads one vars file; a file that cannot be read is skipped silently, as wharf-cmd does. */
export function readVarsFile(path: string): { variables: Record<string, VarValue>; errors: DefinitionError[] } | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  return parseVarsFile(path, text);
}

export function parseVarsFile(
  path: string,
  text: string,
): { variables: Record<string, VarValue>; errors: DefinitionError[] } {
  const variables: Record<string, VarValue> = {};
  const loaded = loadYaml(path, text);
  if (!loaded.walker) return { variables, errors: loaded.errors };
  const r = new Reporter(path, loaded.walker);
  const root = loaded.root;
  if (root !== null && !isMap(root)) r.error(root, '', `expected a map with 'vars', got ${kindOf(root)}`);
  for (const e of r.walker.entries(root)) {
    if (e.key !== 'vars') continue; // other keys are ignored, as wharf-cmd does
    if (e.value !== null && !isMap(e.value))
      r.error(e.value, 'vars', `expected a map of variables, got ${kindOf(e.value)}`);
    for (const v of r.walker.entries(e.value)) {
      const value = scalarValue(v.value);
      if (!v.keyIsString) r.error(v.keyNode, 'vars', `a variable name must be a string, got ${kindOf(v.keyNode)}`);
      else if (value === undefined)
        r.error(v.value ?? v.keyNode, `vars/${v.key}`, `expected a string, number or boolean, got ${kindOf(v.value)}`);
      else variables[v.key] = value;
    }
  }
  return { variables, errors: [...loaded.errors, ...r.errors] };
}
