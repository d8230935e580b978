import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.ts';

describe('cli', () => {
  it('rejects an unknown command with exit code 2', async () => {
    assert.equal(await main(['no-such-command']), 2);
  });
});
