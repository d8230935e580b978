// The top-level `environments`: named maps of variables (strings, numbers, booleans, or
// null for a variable written with no value, as wharf-cmd reads `lorem:`).
import { isMap, type Node } from 'yaml';
import type { Reporter } from '../yaml/reporter.ts';
import type { VarValue } from '../varsub/substitute.ts';
import { isNull, kindOf, scalarValue } from '../yaml/yaml-walk.ts';

export function readEnvironments(node: Node | null, r: Reporter): Record<string, Record<string, VarValue>> {
  if (!isMap(node)) {
    r.error(node, 'environments', `expected a map of environments, got ${kindOf(node)}`);
    return {};
  }
  const environments: Record<string, Record<string, VarValue>> = {};
  for (const env of r.walker.entries(node)) {
    const path = `environments/${env.key}`;
    if (!env.keyIsString || env.key === '') {
      r.error(
        env.keyNode,
        path,
        env.key === ''
          ? 'environment name cannot be empty'
          : `an environment name must be a string, got ${kindOf(env.keyNode)}`,
      );
      continue;
    }
    const vars: Record<string, VarValue> = {};
    environments[env.key] = vars;
    if (isNull(env.value)) continue; // an environment without variables
    if (!isMap(env.value)) {
      r.error(env.value, path, `expected a map of variables, got ${kindOf(env.value)}`);
      continue;
    }
    for (const v of r.walker.entries(env.value)) {
      const value = scalarValue(v.value);
      if (!v.keyIsString || v.key === '')
        r.error(v.keyNode, `${path}/${v.key}`, 'a variable name must be a non-empty string');
      else if (isNull(v.value)) vars[v.key] = null;
      else if (value === undefined)
        r.error(
          v.value ?? v.keyNode,
          `${path}/${v.key}`,
          `invalid environment variable type: expected a string, boolean or number, got ${kindOf(v.value)}`,
        );
      else vars[v.key] = value;
    }
  }
  return environments;
}
