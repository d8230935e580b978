// The activities of a build step, bound to the worker's dependencies.
import { awaitPodReadyActivity } from './await-pod-ready.js';
import { createPodActivity } from './create-pod.js';
import { deletePodActivity } from './delete-pod.js';
import { runCommandActivity } from './run-command.js';
import { transferSourceActivity } from './transfer-source.js';
export function createActivities(deps) {
    return {
        createPod: createPodActivity(deps),
        awaitPodReady: awaitPodReadyActivity(deps),
        transferSource: transferSourceActivity(deps),
        runCommand: runCommandActivity(deps),
        deletePod: deletePodActivity(deps),
    };
}
