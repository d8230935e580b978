// The worker's settings over the plan's pods and commands: nothing changes under the
// defaults (so kaniko's pod stays as its golden file pins it), images and pod defaults
// land where they should, the step's identity is never overridden, and the BuildKit
// builder turns kaniko's command into the same build (run here through a real sh).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { parseDefinition } from '../../../src/definition/parse-definition.ts';
import {
  applyWorkerSettingsToExec,
  applyWorkerSettingsToPod,
  BUILDKIT_STATE_MOUNT,
} from '../../../src/pod/apply-worker-settings.ts';
import { kanikoToBuildkit, parseKanikoArgs } from '../../../src/pod/buildkit-command.ts';
import { translateStep } from '../../../src/pod/translate-step.ts';
import { DEFAULT_WORKER_POD_SETTINGS, type WorkerPodSettings } from '../../../src/pod/worker-pod-settings.ts';
import type { StepPlan } from '../../../src/pod/step-plan.ts';
import { layeredLookup } from '../../../src/varsub/substitute.ts';

const DEFINITION = `
all:
  container:
    container: {image: "alpine:3", cmds: [echo hi]}
  docker:
    docker: {file: build/Dockerfile, context: build, tag: "1.2.3, latest", destination: reg.test/team/web, args: ["A=1"], secretName: build-secrets, secretArgs: ["NPM_TOKEN=npm-token"]}
  helm:
    helm: {chart: app, name: my-app, namespace: prod, helmVersion: v3.22.0, cluster: kc}
  helm-package:
    helm-package: {chart-path: charts/app}
  kubectl:
    kubectl: {file: deploy.yaml, cluster: kc}
`;
const BUILTINS = {
  PROJECT_ID: 7,
  REPO_GROUP: 'team',
  REPO_NAME: 'app',
  REG_URL: 'reg.test',
  REG_SECRET: 'registry-credentials',
  REG_INSECURE: false,
  CHART_REPO: 'oci://reg.test/charts',
};

function plans(): Record<string, StepPlan> {
  const { definition, errors } = parseDefinition('.wharf-ci.yml', DEFINITION, () => layeredLookup([BUILTINS]));
  assert.deepEqual(errors, []);
  const ctx = { buildId: 'b-1', stage: 'all', activeDeadlineSeconds: 600, secrets: [] };
  return Object.fromEntries(definition.stages[0]!.steps.map((s) => [s.name, translateStep(s, ctx)]));
}

const settings = (s: Partial<WorkerPodSettings>): WorkerPodSettings => ({
  ...structuredClone(DEFAULT_WORKER_POD_SETTINGS),
  ...s,
});
const container = (pod: V1Pod, name = 'step') => pod.spec!.containers.find((c) => c.name === name)!;

describe('worker settings over step pods', () => {
  it('changes nothing under the default settings', () => {
    for (const plan of Object.values(plans())) {
      assert.deepEqual(applyWorkerSettingsToPod(plan.pod, DEFAULT_WORKER_POD_SETTINGS), plan.pod);
      assert.deepEqual(applyWorkerSettingsToExec(plan.exec, DEFAULT_WORKER_POD_SETTINGS), plan.exec);
    }
  });

  it("uses the configured image of each step type, keeping helm's version as the tag", () => {
    const p = plans();
    const s = settings({
      images: {
        kaniko: 'lab/kaniko:1',
        kubectl: 'lab/kubectl:2',
        helm: 'lab/helm',
        helmPackage: 'lab/helm:3',
        source: 'lab/busybox:1',
      },
    });
    assert.equal(container(applyWorkerSettingsToPod(p.docker!.pod, s)).image, 'lab/kaniko:1');
    assert.equal(container(applyWorkerSettingsToPod(p.docker!.pod, s), 'source').image, 'lab/busybox:1');
    assert.equal(container(applyWorkerSettingsToPod(p.kubectl!.pod, s)).image, 'lab/kubectl:2');
    assert.equal(container(applyWorkerSettingsToPod(p.helm!.pod, s)).image, 'lab/helm:v3.22.0');
    assert.equal(container(applyWorkerSettingsToPod(p['helm-package']!.pod, s)).image, 'lab/helm:3');
    assert.equal(
      container(applyWorkerSettingsToPod(p.container!.pod, s)).image,
      'alpine:3',
      "a container step's image is the build's own",
    );
  });

  it('adds the pod defaults to every step pod without overriding its identity', () => {
    const { container: plan } = plans();
    const s = settings({
      pod: {
        nodeSelector: { 'lab/node': 'real' },
        tolerations: [{ key: 'lab/real', operator: 'Exists', effect: 'NoSchedule' }],
        resources: { requests: { cpu: '100m' } },
        imagePullSecrets: ['pull'],
        labels: { team: 'a', 'wharf-temporal/step': 'other' },
        annotations: { note: 'x' },
        securityContext: { runAsUser: 1000, runAsNonRoot: true },
      },
    });
    const pod = applyWorkerSettingsToPod(plan!.pod, s);
    assert.deepEqual(pod.spec!.nodeSelector, { 'lab/node': 'real' });
    assert.deepEqual(pod.spec!.tolerations, [{ key: 'lab/real', operator: 'Exists', effect: 'NoSchedule' }]);
    assert.deepEqual(pod.spec!.imagePullSecrets, [{ name: 'pull' }]);
    assert.deepEqual(pod.spec!.securityContext, { runAsUser: 1000, runAsNonRoot: true });
    assert.deepEqual(container(pod).resources, { requests: { cpu: '100m' } });
    assert.equal(pod.metadata!.labels!.team, 'a');
    assert.equal(pod.metadata!.labels!['wharf-temporal/step'], 'container', "the plan's identity labels win");
    assert.equal(pod.metadata!.annotations!.note, 'x');
    assert.equal(plan!.pod.spec!.nodeSelector, undefined, "the plan's pod is not modified");
  });

  it('runs the docker step with BuildKit: its image, a privileged container, state off the overlay', () => {
    const { docker } = plans();
    const pod = applyWorkerSettingsToPod(
      docker!.pod,
      settings({ dockerBuilder: 'buildkit', images: { buildkit: 'lab/buildkit:1' } }),
    );
    const step = container(pod);
    assert.equal(step.image, 'lab/buildkit:1');
    assert.equal(step.command![0], '/bin/sh');
    assert.equal(step.securityContext?.privileged, true);
    assert.ok(step.volumeMounts!.some((m) => m.mountPath === BUILDKIT_STATE_MOUNT));
    assert.ok(pod.spec!.volumes!.some((v) => v.name === 'buildkit-state' && v.emptyDir));
    assert.deepEqual(
      step.env!.find((e) => e.name === 'DOCKER_CONFIG'),
      { name: 'DOCKER_CONFIG', value: '/kaniko/.docker' },
    );
    assert.ok(container(pod, 'source'), 'the source sidecar stays');
  });

  it("translates kaniko's arguments into buildctl's", () => {
    const { docker } = plans();
    assert.deepEqual(parseKanikoArgs(docker!.exec.command), {
      dockerfile: '/mnt/repo/build/Dockerfile',
      context: '/mnt/repo/build',
      insecure: false,
      buildArgs: ['A=1', 'NPM_TOKEN'],
      destinations: ['reg.test/team/web:1.2.3', 'reg.test/team/web:latest'],
      push: true,
    });
    const exec = applyWorkerSettingsToExec(docker!.exec, settings({ dockerBuilder: 'buildkit' }));
    assert.equal(exec.shell, '/bin/sh');
    assert.deepEqual(exec.command.slice(3), [
      'buildkit',
      'build',
      '--frontend',
      'dockerfile.v0',
      '--local',
      'context=/mnt/repo/build',
      '--local',
      'dockerfile=/mnt/repo/build',
      '--opt',
      'filename=Dockerfile',
      '--opt',
      'build-arg:A=1',
      'build-arg-from-env:NPM_TOKEN',
      '--output',
      'type=image,"name=reg.test/team/web:1.2.3,reg.test/team/web:latest",push=true',
    ]);
    assert.throws(
      () => kanikoToBuildkit(['/kaniko/executor', '--cache', 'true']),
      /--cache has no BuildKit equivalent/,
    );
  });

  it('resolves build arguments from the environment inside the container, through sh', () => {
    const bin = mkdtempSync(join(tmpdir(), 'buildctl-'));
    writeFileSync(join(bin, 'buildctl-daemonless.sh'), '#!/bin/sh\nfor a in "$@"; do echo "[$a]"; done\n');
    chmodSync(join(bin, 'buildctl-daemonless.sh'), 0o755);
    const [sh, ...args] = kanikoToBuildkit([
      '/kaniko/executor',
      '--context',
      '/src',
      '--build-arg',
      'TOKEN',
      '--no-push',
      '--destination',
      'r/x:1',
    ]);
    const out = execFileSync(sh!, args, {
      encoding: 'utf8',
      env: { PATH: `${bin}:/usr/bin:/bin`, TOKEN: 'it has spaces $HOME' },
    });
    const lines = out.trim().split('\n');
    assert.match(lines[0]!, /^\$ buildctl-daemonless\.sh build /);
    assert.deepEqual(lines.slice(1), [
      '[build]',
      '[--frontend]',
      '[dockerfile.v0]',
      '[--local]',
      '[context=/src]',
      '[--local]',
      '[dockerfile=.]',
      '[--opt]',
      '[filename=Dockerfile]',
      '[--opt]',
      '[build-arg:TOKEN=it has spaces $HOME]',
      '[--output]',
      '[type=image,"name=r/x:1",push=false]',
    ]);
  });
});
