// Numbers as a person writes them in an --input or a variable: decimal digits, finite. JavaScript's
// Number() also reads `0x1F`, `Infinity`, `1e400` (Infinity) and ' 12 ', which no build
// means; those are refused with the reason.

const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** The number, or why the text is not one. */
export function parseDecimal(text: string): { value: number } | { problem: string } {
  if (!DECIMAL.test(text)) return { problem: 'expected a number' };
  const value = Number(text);
  if (!Number.isFinite(value)) return { problem: 'the number is too large' };
  return { value };
}

/** Whether a name can be an input or variable name: referable as ${name}, and a safe map key. */
export function nameProblem(name: string): string | null {
  if (name === '') return 'the name is empty';
  if (name === '__proto__' || name === 'constructor' || name === 'prototype')
    return `'${name}' cannot be a variable name`;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name))
    return `'${name}' is not a variable name (letters, digits, '_', '-' and '.', starting with a letter, digit or '_')`;
  return null;
}
