// The worker's step policy: a pod that would use a service account or a Secret the worker
// does not allow is refused for good, naming the step and the field, before it exists.
import assert from 'node:assert/strict';
import { createPodActivity } from '../../../activities/create-pod.ts';
import type { PodFacade } from '../../../src/kube/pod-facade.ts';
import { planDefinition } from '../../../src/plan/make-plan.ts';
import type { PodPolicy } from '../../../src/pod/pod-policy.ts';
import { stepPolicyFrom } from '../../../src/worker/step-policy.ts';
import { activityEnvironment, scratchStore } from '../../support/activity-harness.ts';

const DEFINITION = `inputs:
  - {name: pw, type: password, default: s3cret}
build:
  plain:
    container: {image: alpine, cmds: ['echo \${pw}']}
  other-secret:
    container: {image: alpine, cmds: [env], secretName: deploy-keys}
  worker-account:
    container: {image: alpine, cmds: [env], serviceAccount: wharf-worker}
`;

function podsOf(buildId: string) {
  const result = planDefinition({
    file: 'f.yml',
    text: DEFINITION,
    env: null,
    inputs: {},
    buildId,
    layers: [{ source: 'test', variables: { PROJECT_ID: '7' } }],
  });
  assert.ok('plan' in result, JSON.stringify(result));
  return Object.fromEntries(result.plan.stages[0]!.steps.map((s) => [s.name, s.pod]));
}

async function create(
  stepName: string,
  policy: PodPolicy,
  workflowId = 'b1.build.x',
): Promise<{ created: number; error?: Error }> {
  let created = 0;
  const pods = {
    create: async (pod: unknown) => (created++, { metadata: { name: 'p', uid: 'u' }, ...(pod as object) }),
  } as unknown as PodFacade;
  const activity = createPodActivity({ pods, store: scratchStore('policy'), podPolicy: policy });
  const env = activityEnvironment({ workflowExecution: { workflowId, runId: 'r' } });
  try {
    await env.run(activity, { pod: podsOf('b1')[stepName]!, log: { buildId: 'b1', stage: 'build', step: stepName } });
    return { created };
  } catch (error) {
    return { created, error: error as Error };
  }
}

describe('step policy', () => {
  const none = stepPolicyFrom({}, {});

  it("lets a step use its build's own Secret and the default account without a token", async () => {
    assert.deepEqual(await create('plain', none), { created: 1 });
  });

  it("refuses another build's Secret and another service account, naming step and field, creating nothing", async () => {
    const secret = await create('other-secret', none);
    assert.equal(secret.created, 0);
    assert.equal(secret.error?.name, 'ApplicationFailure');
    assert.equal((secret.error as { type?: string }).type, 'StepNotAllowed');
    assert.equal((secret.error as { nonRetryable?: boolean }).nonRetryable, true);
    assert.match(
      secret.error!.message,
      /^step build\/other-secret: secretName: Secret 'wharf-local-project-7-secretname-deploy-keys' is not allowed by this worker/,
    );
    const account = await create('worker-account', none);
    assert.equal(account.created, 0);
    assert.match(
      account.error!.message,
      /^step build\/worker-account: serviceAccount: service account 'wharf-worker' is not allowed by this worker/,
    );
  });

  it('refuses the own Secret of a build whose step this is not', async () => {
    const other = await create('plain', none, 'someone-else.build.x');
    assert.equal(other.created, 0);
    assert.match(other.error!.message, /environment variable WHARF_SECRET_PW: Secret 'wharf-b1-inputs'/);
  });

  it('does not mount the token of an account not allowed when the pod does not say', async () => {
    let created: { spec?: { automountServiceAccountToken?: boolean } } = {};
    const pods = {
      create: async (pod: typeof created) => ((created = pod), { metadata: { name: 'p', uid: 'u' } }),
    } as unknown as PodFacade;
    const activity = createPodActivity({ pods, store: scratchStore('policy'), podPolicy: none });
    await activityEnvironment().run(activity, {
      pod: { metadata: { name: 'p' }, spec: { containers: [] } },
    });
    assert.equal(created.spec?.automountServiceAccountToken, false);
  });

  it('allows what the policy names, from flags or the environment, prefixes too', async () => {
    const policy = stepPolicyFrom(
      {},
      {
        WHARF_TEMPORAL_ALLOWED_SECRETS: 'wharf-local-project-7-*',
        WHARF_TEMPORAL_ALLOWED_SERVICE_ACCOUNTS: 'wharf-worker',
      },
    );
    assert.deepEqual(policy, { serviceAccounts: ['wharf-worker'], secrets: ['wharf-local-project-7-*'] });
    assert.deepEqual(await create('other-secret', policy), { created: 1 });
    assert.deepEqual(
      await create('worker-account', stepPolicyFrom({ 'allow-service-account': ['wharf-worker'] }, {})),
      { created: 1 },
    );
  });
});
