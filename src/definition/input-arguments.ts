// Values given with --input, checked against the declared inputs as wharf-cmd does: an
// undeclared input is an error, a number input takes only numbers, a choice input only
// one of its values. Errors point at the declaration.
import type { VarValue } from '../varsub/substitute.ts';
import type { DefinitionError } from '../yaml/definition-error.ts';
import { parseDecimal } from './decimal-number.ts';
import type { Declarations } from './types.ts';

export function readInputArguments(
  file: string,
  declared: Declarations,
  given: Record<string, string>,
): { values: Record<string, VarValue>; errors: DefinitionError[] } {
  const values: Record<string, VarValue> = {};
  const errors: DefinitionError[] = [];
  for (const [name, raw] of Object.entries(given)) {
    const input = declared.inputs.find((i) => i.name === name);
    if (!input) {
      const known = declared.inputs.map((i) => i.name);
      errors.push({
        file,
        ...(declared.inputsAt ?? { line: 1, column: 1 }),
        path: 'inputs',
        message: `use of undefined input variable "${name}" (given with --input; ${known.length ? `the file declares ${known.join(', ')}` : 'the file declares no inputs'})`,
      });
      continue;
    }
    const at = { file, ...input.at, path: `inputs/${name}` };
    if (input.type === 'number') {
      const n = parseDecimal(raw);
      if ('problem' in n) errors.push({ ...at, message: `--input ${name}=${raw}: ${n.problem}` });
      else values[name] = n.value;
    } else if (input.type === 'choice' && !input.values.includes(raw)) {
      errors.push({ ...at, message: `--input ${name}=${raw}: not one of the values (${input.values.join(', ')})` });
    } else {
      values[name] = raw;
    }
  }
  return { values, errors };
}
