// Tells the worker when a build or step workflow starts and how it ends, for the
// worker's metrics. Sink calls add nothing to history and are not made on replay, so a
// workflow is counted once, however often it is replayed.
import { isCancellation, proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export interface WorkflowMetricsSinks extends Sinks {
  workflowMetrics: {
    started(): void;
    /** outcome: the result's status (success, failed, cancelled, skipped), or failed/cancelled when it threw. */
    finished(outcome: string): void;
  };
}

const { workflowMetrics } = proxySinks<WorkflowMetricsSinks>();

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        workflowMetrics.started();
        try {
          const result = await next(input);
          const status = (result as { status?: unknown } | undefined)?.status;
          workflowMetrics.finished(typeof status === 'string' ? status : 'success');
          return result;
        } catch (err) {
          workflowMetrics.finished(isCancellation(err) ? 'cancelled' : 'failed');
          throw err;
        }
      },
    },
  ],
});
