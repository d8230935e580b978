// The workflow bundle is cached by a hash of what it holds: the workflow folder and every
// project module the workflows import, so a change to one of those makes a new bundle.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { bundledSources } from '../../../src/worker/workflow-bundle.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('workflow bundle cache key', () => {
  it('covers the workflows and the project modules they import for their values, not those imported as types', () => {
    const files = bundledSources().map((f) => f.slice(root.length));
    assert.ok(files.includes('workflows/step.ts'), files.join('\n'));
    assert.ok(files.includes('workflows/index.ts'));
    assert.ok(files.includes('src/limits/payload-bytes.ts'), 'imported by workflows/stage.ts');
    assert.ok(!files.includes('activities/index.ts'), 'imported only as types: never bundled');
    assert.deepEqual(
      files.filter((f) => !f.startsWith('workflows/') && !f.startsWith('src/limits/')),
      [],
      'only the workflows and the pure limits they share with the activities',
    );
  });
});
