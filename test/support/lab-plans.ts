// Build plans for the lab tests, with pods shaped as the translator shapes them
// (identity labels, a workspace emptyDir, the command-state volume).
import type { V1Pod } from '@kubernetes/client-node';
import { withCommandStateVolume } from '../../src/pod/command-state-volume.ts';
import type { StepPlan } from '../../src/pod/step-plan.ts';

export const WORKSPACE = '/mnt/repo';

export function labStep(buildId: string, stage: string, name: string, script: string, image = 'alpine:3'): StepPlan {
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${buildId}-${stage}-${name}`.slice(0, 63).replace(/-+$/, ''),
      labels: {
        'app.kubernetes.io/managed-by': 'wharf-temporal',
        'wharf-temporal/build-id': buildId,
        'wharf-temporal/stage': stage,
        'wharf-temporal/step': name,
      },
    },
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: 600,
      containers: [
        {
          name: 'step',
          image,
          command: ['/bin/sh', '-c', 'sleep 600'],
          workingDir: WORKSPACE,
          volumeMounts: [{ name: 'repo', mountPath: WORKSPACE }],
        },
      ],
      volumes: [{ name: 'repo', emptyDir: {} }],
    },
  };
  return {
    name,
    type: 'container',
    pod: withCommandStateVolume(pod, 'step'),
    exec: { container: 'step', command: ['/bin/sh', '-c', script] },
    source: { container: 'step', path: WORKSPACE },
    secrets: [],
  };
}
