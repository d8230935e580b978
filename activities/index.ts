// The activities of a build step, bound to the worker's dependencies.
import { awaitPodReadyActivity } from './await-pod-ready.ts';
import { createPodActivity } from './create-pod.ts';
import { deletePodActivity } from './delete-pod.ts';
import type { ActivityDeps } from './deps.ts';
import { recordBuildActivity } from './record-build.ts';
import { runCommandActivity } from './run-command.ts';
import { transferSourceActivity } from './transfer-source.ts';

export type { ActivityDeps };

export function createActivities(deps: ActivityDeps) {
  return {
    createPod: createPodActivity(deps),
    awaitPodReady: awaitPodReadyActivity(deps),
    transferSource: transferSourceActivity(deps),
    runCommand: runCommandActivity(deps),
    deletePod: deletePodActivity(deps),
    recordBuild: recordBuildActivity(deps),
  };
}

export type StepActivities = ReturnType<typeof createActivities>;
