// WHARF_VAR_NAME=value environment variables become the variable NAME. The value is typed
// as the same text written in a .wharf-vars.yml would be (true/false, numbers), so that
// boolean built-ins such as REG_INSECURE can come from the environment (wharf-cmd's are
// always strings).
import type { VarValue } from './substitute.ts';

const PREFIX = 'WHARF_VAR_';

export function environVariables(environ: NodeJS.ProcessEnv): Record<string, VarValue> {
  const vars: Record<string, VarValue> = {};
  for (const [key, value] of Object.entries(environ)) {
    if (key.startsWith(PREFIX) && key.length > PREFIX.length && value !== undefined)
      vars[key.slice(PREFIX.length)] = typedScalar(value);
  }
  return vars;
}

function typedScalar(value: string): VarValue {
  if (value === 'true' || value === 'false') return value === 'true';
  // A number too large to hold (1e400) stays text.
  if (/^[-+]?(\d+|\d*\.\d+)([eE][-+]?\d+)?$/.test(value) && Number.isFinite(Number(value))) return Number(value);
  return value;
}
