// The corpus of real .wharf-ci.yml files from Wharf's own repositories (see
// test/fixtures/real/SOURCES.md): every one validates and plans, with the built-ins of
// the folder's .wharf-vars.yml, in every environment it declares and without one, and
// each plan is pinned by a golden file. Regenerate with UPDATE_GOLDEN=1 after a
// deliberate change, and read the diff.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { formatError } from '../../../src/yaml/definition-error.ts';
import { parseDefinition } from '../../../src/definition/parse-definition.ts';
import { planDefinition } from '../../../src/plan/make-plan.ts';
import { parseVarsFile } from '../../../src/varsub/vars-files.ts';

const CORPUS = fileURLToPath(new URL('../../fixtures/real/', import.meta.url));
const GOLDEN = `${CORPUS}golden/`;
const FILES = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.wharf-ci.yml'))
  .sort();

/** Files wharf-cmd itself rejects, and why (their golden holds the errors). */
const REJECTED_AS_WHARF_CMD_DOES: Record<string, string> = {
  'wharf-cmd.wharf-ci.yml':
    'a container step without cmds (wharf-cmd steps/container.go: ValidateRequiredSlice("cmds"))',
};

// Only the folder's vars file: no git, no WHARF_VAR_*, so the plans do not depend on this machine.
const VARS = parseVarsFile(`${CORPUS}.wharf-vars.yml`, readFileSync(`${CORPUS}.wharf-vars.yml`, 'utf8'));

function planned(file: string, env: string | null): unknown {
  const text = readFileSync(`${CORPUS}${file}`, 'utf8');
  const result = planDefinition({
    file,
    text,
    env,
    inputs: {},
    buildId: 'corpus',
    layers: [{ source: '.wharf-vars.yml', variables: VARS.variables }],
  });
  if ('errors' in result) return { errors: result.errors.map(formatError) };
  return { warnings: result.warnings, leftOut: result.leftOut, plan: result.plan };
}

describe("real .wharf-ci.yml files from Wharf's repositories", () => {
  it('has the corpus and its vars file', () => {
    assert.ok(FILES.length >= 10, `${FILES.length} files`);
    assert.deepEqual(VARS.errors, []);
  });
  for (const file of FILES) {
    it(`${file} validates and plans as pinned`, () => {
      const { definition } = parseDefinition(file, readFileSync(`${CORPUS}${file}`, 'utf8'));
      const envs = [null, ...Object.keys(definition.environments)];
      const plans = Object.fromEntries(envs.map((env) => [env ?? '(no --env)', planned(file, env)]));
      const rejected = Object.hasOwn(REJECTED_AS_WHARF_CMD_DOES, file);
      for (const [env, p] of Object.entries(plans)) {
        assert.equal('errors' in (p as object), rejected, `${file} ${env}: ${JSON.stringify(p)}`);
      }
      const text = stringify(plans, { lineWidth: 0 });
      const golden = `${GOLDEN}${file.replace(/\.wharf-ci\.yml$/, '.plan.yaml')}`;
      if (process.env.UPDATE_GOLDEN || !existsSync(golden)) {
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(golden, text);
      }
      assert.equal(
        text,
        readFileSync(golden, 'utf8'),
        `${file}: plan differs from ${golden} (UPDATE_GOLDEN=1 after a deliberate change)`,
      );
    });
  }
});
