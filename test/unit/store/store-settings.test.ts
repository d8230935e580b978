import assert from 'node:assert/strict';
import { maskUrl } from '../../../src/store/postgres-store.ts';
import { resolveStoreSettings } from '../../../src/store/store-settings.ts';

describe('build store settings', () => {
  it('reads the store URL from --store, then WHARF_TEMPORAL_STORE_URL; the default is the folder', () => {
    assert.deepEqual(resolveStoreSettings({}, { WHARF_TEMPORAL_LOG_DIR: '/var/logs' }), {
      url: null,
      folder: '/var/logs',
      stepLogLimitBytes: 64 * 1024 * 1024,
      bufferBytes: 16 * 1024 * 1024,
      retentionDays: 30,
    });
    assert.equal(
      resolveStoreSettings({}, { WHARF_TEMPORAL_STORE_URL: 'postgres://u:p@db:5432/wharf' }).url,
      'postgres://u:p@db:5432/wharf',
    );
    assert.equal(
      resolveStoreSettings({ store: 'postgresql://db/x' }, { WHARF_TEMPORAL_STORE_URL: 'postgres://other/y' }).url,
      'postgresql://db/x',
    );
    assert.equal(resolveStoreSettings({ store: 'file:///srv/logs' }, {}).folder, '/srv/logs');
    assert.equal(resolveStoreSettings({}, { WHARF_TEMPORAL_STORE_URL: '/srv/logs' }).folder, '/srv/logs');
  });

  it('names the setting of a bad value, and never shows a password', () => {
    assert.throws(
      () => resolveStoreSettings({}, { WHARF_TEMPORAL_STORE_URL: 'mysql://u:hunter2@db/x' }),
      (err: Error) => {
        assert.match(err.message, /^WHARF_TEMPORAL_STORE_URL: expected postgres:\/\//);
        assert.ok(!err.message.includes('hunter2'));
        return true;
      },
    );
    assert.throws(() => resolveStoreSettings({ store: 'relative/path' }, {}), /^StoreSettingError: --store: /);
    assert.throws(
      () => resolveStoreSettings({}, { WHARF_TEMPORAL_STEP_LOG_LIMIT: '1e9' }),
      /WHARF_TEMPORAL_STEP_LOG_LIMIT: expected a whole number/,
    );
    assert.throws(
      () => resolveStoreSettings({}, { WHARF_TEMPORAL_STORE_RETENTION_DAYS: '-1' }),
      /WHARF_TEMPORAL_STORE_RETENTION_DAYS/,
    );
    assert.equal(resolveStoreSettings({}, { WHARF_TEMPORAL_STORE_RETENTION_DAYS: '0' }).retentionDays, 0);
  });

  it('masks the password of a URL', () => {
    assert.equal(maskUrl('postgres://wharf:s3cret@db:5432/wharf'), 'postgres://wharf:***@db:5432/wharf');
    assert.equal(maskUrl('postgres://db/wharf'), 'postgres://db/wharf');
  });
});
