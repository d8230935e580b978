// The `inputs` list: typed input variables (string, choice, number, password) with their
// defaults, as wharf-cmd reads them. Scopes use the item's index: `inputs/0/type`.
import { isMap, isSeq, type Node } from 'yaml';
import { nameProblem } from './decimal-number.ts';
import { readField, type FieldKind } from './read-field.ts';
import type { Reporter } from '../yaml/reporter.ts';
import type { InputDefinition, InputType, Value } from './types.ts';
import { kindOf } from '../yaml/yaml-walk.ts';

const INPUT_TYPES: InputType[] = ['string', 'choice', 'number', 'password'];
const KNOWN_FIELDS = new Set(['name', 'type', 'default', 'values']);

export function readInputs(node: Node | null, r: Reporter): InputDefinition[] {
  if (!isSeq(node)) {
    r.error(node, 'inputs', `expected a list of inputs, got ${kindOf(node)}`);
    return [];
  }
  const inputs: InputDefinition[] = [];
  r.walker.items(node).forEach((item, index) => {
    const input = readInput(item, `inputs/${index}`, r);
    if (!input) return;
    if (inputs.some((i) => i.name === input.name))
      r.error(item, `inputs/${index}/name`, `input variable name is already used: "${input.name}"`);
    else inputs.push(input);
  });
  return inputs;
}

function readInput(node: Node | null, path: string, r: Reporter): InputDefinition | null {
  if (!isMap(node)) {
    r.error(node, path, `expected an input (a map with name and type), got ${kindOf(node)}`);
    return null;
  }
  const fields = new Map(r.walker.entries(node).map((e) => [e.key, e]));
  const read = (key: string, kind: FieldKind): unknown => {
    const entry = fields.get(key);
    if (!entry) return undefined;
    return readField(entry.value, kind, {
      walker: r.walker,
      report: (n, m, s = '') => r.error(n, `${path}/${key}${s}`, m),
    });
  };
  for (const [key, entry] of fields) {
    if (!KNOWN_FIELDS.has(key)) r.warn(entry.keyNode, `${path}/${key}`, `unknown field '${key}' is ignored`);
  }
  const name = read('name', 'string');
  const type = read('type', 'string');
  if (name === undefined || name === '')
    r.error(fields.get('name')?.value ?? node, `${path}/name`, 'missing required field');
  if (type === undefined || type === '')
    r.error(fields.get('type')?.value ?? node, `${path}/type`, 'missing required field');
  if (typeof type === 'string' && type !== '' && !INPUT_TYPES.includes(type as InputType)) {
    r.error(
      fields.get('type')!.value,
      `${path}/type`,
      `unknown input type '${type}' (expected one of ${INPUT_TYPES.join(', ')})`,
    );
    return null;
  }
  const badName = typeof name === 'string' && name !== '' ? nameProblem(name) : null;
  if (badName) r.error(fields.get('name')!.value, `${path}/name`, badName);
  if (typeof name !== 'string' || name === '' || badName || typeof type !== 'string' || type === '') return null;
  const inputType = type as InputType;
  const given = read('default', inputType === 'number' ? 'number' : 'string') as Value | undefined;
  if (typeof given === 'number' && !Number.isFinite(given))
    r.error(fields.get('default')!.value, `${path}/default`, 'a number input needs a finite default');
  const input: InputDefinition = {
    name,
    type: inputType,
    default: given ?? (inputType === 'number' ? 0 : ''),
    values: [],
    at: r.position(node),
  };
  if (inputType === 'choice') {
    input.values = (read('values', 'strings') as string[] | undefined) ?? [];
    if (input.values.length === 0)
      r.error(fields.get('values')?.value ?? node, `${path}/values`, 'missing required field');
    if (!fields.has('default') || given === '')
      r.error(fields.get('default')?.value ?? node, `${path}/default`, 'missing required field');
    else if (typeof given === 'string' && input.values.length && !input.values.includes(given)) {
      r.error(
        fields.get('default')!.value,
        `${path}/default`,
        `default value "${given}" is missing from values (${input.values.join(', ')})`,
      );
    }
  }
  return input;
}
