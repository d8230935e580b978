// Replays recorded histories against the current workflow code. A change that makes
// the code take a different path on the same history (non-determinism) fails here.
// Re-record with `RECORD_HISTORIES=1 npx mocha test/workflows` after a deliberate change,
// keeping the previous release's recordings in a folder named by its commit.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { loadWorkflowBundle } from '../../src/worker/workflow-bundle.ts';
import { HISTORY_DIR } from '../support/record-histories.ts';

describe('replay of recorded histories', function () {
  this.timeout(120_000);
  // A folder holds what one release recorded (9fae912/: the release before runCommand's
  // retry began after 100 ms; 5cb2241/: the first with one baseline patch per workflow);
  // the files at the top come from earlier releases.
  const files = readdirSync(HISTORY_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort();

  it('has histories of builds and steps to replay', () => {
    assert.ok(
      files.some((f) => f.endsWith('.build.json')),
      'no build history recorded',
    );
    assert.ok(
      files.some((f) => !f.endsWith('.build.json')),
      'no step history recorded',
    );
    assert.ok(
      files.some((f) => f.startsWith('9fae912/')),
      "no history of the release before runCommand's retry changed",
    );
    assert.ok(
      files.some((f) => f.startsWith('5cb2241/')),
      'no history of the release with baseline patches',
    );
  });

  it('replays every history without non-determinism', async () => {
    const bundle = await loadWorkflowBundle();
    const histories = files.map((file) => ({
      workflowId: file,
      history: proto.temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(HISTORY_DIR + file, 'utf8'))),
    }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: bundle, replayName: 'wharf-temporal' },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.deepEqual(failures, []);
  });
});
