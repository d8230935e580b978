// The worker's settings from a file, the environment and flags: later sources win field
// by field, and every mistake names its file:line:column and field, or its variable or flag.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSettings, resolveWorkerSettings, WorkerSettingsError } from '../../../src/config/worker-settings.ts';

const FILE = `dockerBuilder: buildkit
images:
  buildkit: reg.test/lab/buildkit:v0.34.2
  kubectl: reg.test/lab/kubectl:v1.36.3
pod:
  nodeSelector: {wharf-temporal.lab/node: real}
  tolerations:
    - {key: wharf-temporal.lab/real-node, operator: Exists, effect: NoSchedule}
  resources: {requests: {cpu: 100m, memory: 64Mi}}
  imagePullSecrets: [pull-a, {name: pull-b}]
  labels: {team: web}
  annotations: {example.com/owner: web-team}
  securityContext: {runAsUser: 1000, runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
`;

function write(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'worker-settings-')), 'worker.yaml');
  writeFileSync(file, text);
  return file;
}

function rejects(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof WorkerSettingsError, String(err));
    assert.equal(err.message, message);
    return true;
  });
}

describe('worker settings', () => {
  it('reads every setting from the file', () => {
    const s = resolveWorkerSettings({ config: write(FILE) }, {});
    assert.equal(s.dockerBuilder, 'buildkit');
    assert.deepEqual(s.images, { buildkit: 'reg.test/lab/buildkit:v0.34.2', kubectl: 'reg.test/lab/kubectl:v1.36.3' });
    assert.deepEqual(s.pod, {
      nodeSelector: { 'wharf-temporal.lab/node': 'real' },
      tolerations: [{ key: 'wharf-temporal.lab/real-node', operator: 'Exists', effect: 'NoSchedule' }],
      resources: { requests: { cpu: '100m', memory: '64Mi' } },
      imagePullSecrets: ['pull-a', 'pull-b'],
      labels: { team: 'web' },
      annotations: { 'example.com/owner': 'web-team' },
      securityContext: { runAsUser: 1000, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    });
  });

  it('defaults to kaniko and no changes', () => {
    assert.deepEqual(resolveWorkerSettings({}, {}), { dockerBuilder: 'kaniko', images: {}, pod: {} });
  });

  it('lets the environment override the file, and flags the environment', () => {
    const env = {
      WHARF_TEMPORAL_WORKER_CONFIG: write(FILE),
      WHARF_TEMPORAL_DOCKER_BUILDER: 'kaniko',
      WHARF_TEMPORAL_STEP_IMAGES: 'kubectl=e/kubectl:1, helm=e/helm',
      WHARF_TEMPORAL_NODE_SELECTOR: 'pool=ci',
    };
    const s = resolveWorkerSettings(
      { stepImage: ['helm=f/helm'], toleration: ['dedicated=ci:NoSchedule', 'spot'] },
      env,
    );
    assert.equal(s.dockerBuilder, 'kaniko');
    assert.deepEqual(s.images, { buildkit: 'reg.test/lab/buildkit:v0.34.2', kubectl: 'e/kubectl:1', helm: 'f/helm' });
    assert.deepEqual(s.pod.nodeSelector, { pool: 'ci' });
    assert.deepEqual(s.pod.tolerations, [
      { key: 'dedicated', operator: 'Equal', value: 'ci', effect: 'NoSchedule' },
      { key: 'spot', operator: 'Exists' },
    ]);
    assert.deepEqual(s.pod.imagePullSecrets, ['pull-a', 'pull-b'], 'fields no later source sets stay');
  });

  it('names the variable or the flag of a bad value', () => {
    rejects(
      () => resolveWorkerSettings({}, { WHARF_TEMPORAL_DOCKER_BUILDER: 'docker' }),
      "WHARF_TEMPORAL_DOCKER_BUILDER: 'docker' is not a docker builder (one of kaniko, buildkit)",
    );
    rejects(
      () => resolveWorkerSettings({ stepImage: ['maven=x'] }, {}),
      "--step-image: unknown step image 'maven' (one of kaniko, buildkit, kubectl, helm, helmPackage, nugetPackage, source)",
    );
    rejects(
      () => resolveWorkerSettings({ toleration: ['a=b:Sometimes'] }, {}),
      "--toleration: 'a=b:Sometimes': effect 'Sometimes' is not one of NoSchedule, PreferNoSchedule, NoExecute",
    );
    rejects(
      () => resolveWorkerSettings({ podLabel: ['wharf-temporal/step=x'] }, {}),
      "--pod-label: 'wharf-temporal/step' is set by the worker itself on every step pod",
    );
    rejects(
      () => resolveWorkerSettings({}, { WHARF_TEMPORAL_NODE_SELECTOR: 'pool' }),
      "WHARF_TEMPORAL_NODE_SELECTOR: 'pool' is not KEY=VALUE",
    );
    rejects(
      () => resolveWorkerSettings({ config: '/nonexistent/worker.yaml' }, {}),
      'cannot read the worker settings file /nonexistent/worker.yaml: ENOENT',
    );
  });

  it('names the file, line, column and field of each mistake in the file', () => {
    const text = `dockerBuilder: docker
images:
  kaniko: 3
  maven: x
pod:
  resources: {requests: {cpu: lots}}
  tolerations: [{key: a, operator: Maybe}]
  securityContext: {runAsUser: -1}
  labels: {team: "not a label"}
  nodeSelectr: {}
`;
    rejects(
      () => parseSettings('w.yaml', text),
      [
        "w.yaml:1:16 dockerBuilder: 'docker' is not a docker builder (one of kaniko, buildkit)",
        'w.yaml:3:11 images/kaniko: must be a string, not an integer',
        "w.yaml:4:3 images: unknown field 'maven' (known: kaniko, buildkit, kubectl, helm, helmPackage, nugetPackage, source)",
        "w.yaml:6:31 pod/resources/requests/cpu: 'lots' is not a quantity (e.g. 500m, 1, 256Mi)",
        "w.yaml:7:36 pod/tolerations/0/operator: 'Maybe' is not Exists or Equal",
        'w.yaml:8:32 pod/securityContext/runAsUser: must be a whole number of at least 0, not an integer',
        "w.yaml:9:18 pod/labels/team: 'not a label' (of team) is not a valid label value",
        "w.yaml:10:3 pod: unknown field 'nodeSelectr' (known: nodeSelector, tolerations, resources, imagePullSecrets, labels, annotations, securityContext)",
      ].join('\n'),
    );
    rejects(() => parseSettings('w.yaml', 'pod: [1\n'), parseSettingsError('w.yaml', 'pod: [1\n'));
  });
});

function parseSettingsError(file: string, text: string): string {
  try {
    parseSettings(file, text);
  } catch (err) {
    assert.match((err as Error).message, /^w\.yaml:\d+:\d+ /);
    return (err as Error).message;
  }
  throw new Error('no error');
}
