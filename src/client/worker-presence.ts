// Whether a worker polls the build task queue. A build on a queue nobody polls waits
// without a word; the CLI says so instead. The server remembers pollers for a minute or
// two, so a worker that died just now still counts: this is a hint, not a guarantee.
import type { Client } from '@temporalio/client';

export async function workerPolls(client: Client, taskQueue: string): Promise<boolean> {
  // The task queue type left out means workflow tasks, the ones a build starts with.
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue },
  });
  return (response.pollers ?? []).length > 0;
}

export function noWorkerNote(taskQueue: string): string {
  return `no worker polls task queue ${taskQueue}: the build waits until one starts (\`wharf-temporal worker\`)`;
}
