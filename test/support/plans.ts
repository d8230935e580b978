// Small hand-made build plans for workflow tests.
import type { BuildPlan, StagePlan } from '../../src/plan/build-plan.ts';
import type { StepPlan } from '../../src/pod/step-plan.ts';
import type { BuildWorkflowInput, SourceSpec } from '../../workflows/types.ts';

export function step(name: string, command: string[], extra: Partial<StepPlan> = {}): StepPlan {
  return {
    name,
    type: 'container',
    pod: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `test-${name}`, labels: { 'app.kubernetes.io/managed-by': 'wharf-temporal' } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'step', image: 'alpine:3', command: ['sleep', '3600'] }] },
    },
    exec: { container: 'step', command },
    source: null,
    secrets: [],
    ...extra,
  };
}

export function stage(name: string, steps: StepPlan[], extra: Partial<StagePlan> = {}): StagePlan {
  return { name, runsIf: 'success', environments: [], steps, ...extra };
}

export function plan(stages: StagePlan[], environment: string | null = null): BuildPlan {
  return { file: '.wharf-ci.yml', environment, stages };
}

export function buildInput(buildId: string, p: BuildPlan, extra: Partial<BuildWorkflowInput> = {}): BuildWorkflowInput {
  return {
    buildId,
    plan: p,
    source: { kind: 'none' },
    onlyStages: [],
    timeouts: { pendingSeconds: 30, runSeconds: 120, heartbeatSeconds: 2 },
    ...extra,
  };
}

/** A build for the lab: its stages and source, with budgets a lab step fits in (heartbeat 5 s). */
export function labBuild(
  buildId: string,
  stages: StagePlan[],
  source: SourceSpec = { kind: 'none' },
  runSeconds = 300,
): BuildWorkflowInput {
  return buildInput(buildId, plan(stages), {
    source,
    timeouts: { pendingSeconds: 60, runSeconds, heartbeatSeconds: 5 },
  });
}
