import assert from 'node:assert/strict';
import { checkDeploymentId, defaultDeploymentId, deploymentSelector, LABELS } from '../../../src/pod/labels.ts';
import { resolveDeployment } from '../../../src/worker/deployment.ts';
import type { RuntimeConfig } from '../../../src/config/runtime-config.ts';

describe('deployment identity', () => {
  const config = {
    temporalAddress: 'temporal:7233',
    temporalNamespace: 'default',
    taskQueue: 'wharf-builds',
  } as RuntimeConfig;

  it('is derived from the Temporal address, namespace and task queue: the same for one, different for any other', () => {
    const id = defaultDeploymentId('temporal:7233', 'default', 'wharf-builds');
    assert.match(id, /^wharf-builds-[0-9a-f]{16}$/);
    assert.equal(defaultDeploymentId('temporal:7233', 'default', 'wharf-builds'), id);
    assert.notEqual(defaultDeploymentId('temporal:7233', 'other', 'wharf-builds'), id);
    assert.notEqual(defaultDeploymentId('elsewhere:7233', 'default', 'wharf-builds'), id);
    assert.notEqual(defaultDeploymentId('temporal:7233', 'default', 'wharf-builds-2'), id);
    assert.ok(defaultDeploymentId('a', 'b', `${'q'.repeat(200)}!!`).length <= 63);
    assert.equal(resolveDeployment(config, undefined, {}), id);
  });

  it('may be set, as a valid label value, by flag or environment; a bad one names the setting', () => {
    assert.equal(resolveDeployment(config, 'team-a', { WHARF_TEMPORAL_DEPLOYMENT: 'team-b' }), 'team-a');
    assert.equal(resolveDeployment(config, undefined, { WHARF_TEMPORAL_DEPLOYMENT: 'team-b' }), 'team-b');
    assert.throws(
      () => resolveDeployment(config, undefined, { WHARF_TEMPORAL_DEPLOYMENT: 'no spaces' }),
      /^Error: WHARF_TEMPORAL_DEPLOYMENT: 'no spaces' is not a valid label value/,
    );
    assert.throws(() => checkDeploymentId('-x', '--deployment'), /^Error: --deployment:/);
  });

  it('selects only what one deployment made', () => {
    assert.equal(
      deploymentSelector('team-a'),
      `app.kubernetes.io/managed-by=wharf-temporal,${LABELS.deployment}=team-a`,
    );
  });
});
