// Helpers for the cases ported from wharf-cmd's own tests: each case names the wharf-cmd
// test (file and test name) or code it comes from, so a reader can hold them side by side.
import { formatError } from '../../../src/yaml/definition-error.ts';
import { parseDefinition, type ParseResult } from '../../../src/definition/parse-definition.ts';
import { planDefinition, type MakePlanResult } from '../../../src/plan/make-plan.ts';
import { layeredLookup, type VarValue } from '../../../src/varsub/substitute.ts';

export const F = '.wharf-ci.yml';

/** The built-ins wharf-cmd's own tests give (pkg/wharfyml/builtins_test.go testVarSource). */
export const BUILTINS: Record<string, VarValue> = {
  REPO_GROUP: 'iver-wharf',
  REPO_NAME: 'wharf-cmd',
  REG_URL: 'http://harbor.example.com',
  CHART_REPO: 'http://harbor.example.com',
};

export function parse(text: string, vars: Record<string, VarValue> = {}): ParseResult & { messages: string[] } {
  const result = parseDefinition(F, text, () => layeredLookup([vars]));
  return { ...result, messages: result.errors.map(formatError) };
}

export function plan(
  text: string,
  options: { env?: string | null; vars?: Record<string, VarValue>; inputs?: Record<string, string> } = {},
): MakePlanResult {
  return planDefinition({
    file: F,
    text,
    env: options.env ?? null,
    inputs: options.inputs ?? {},
    buildId: 'b',
    layers: [{ source: 'test', variables: options.vars ?? {} }],
  });
}

/** A case's title: where in wharf-cmd it comes from, then what it checks. */
export function from(source: string, what: string): string {
  return `[${source}] ${what}`;
}
