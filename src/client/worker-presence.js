export async function workerPolls(client, taskQueue) {
    // The task queue type left out means workflow tasks, the ones a build starts with.
    const response = await client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue } });
    return (response.pollers ?? []).length > 0;
}
export function noWorkerNote(taskQueue) {
    return `no worker polls task queue ${taskQueue}: the build waits until one starts (\`wharf-temporal worker\`)`;
}
