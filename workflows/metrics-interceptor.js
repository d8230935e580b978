// Tells the worker when a build or step workflow starts and how it ends, for the
// worker's metrics. Sink calls add nothing to history and are not made on replay, so a
// workflow is counted once, however often it is replayed.
import { isCancellation, proxySinks } from '@temporalio/workflow';
const { workflowMetrics } = proxySinks();
export const interceptors = () => ({
    inbound: [
        {
            async execute(input, next) {
                workflowMetrics.started();
                try {
                    const result = await next(input);
                    const status = result?.status;
                    workflowMetrics.finished(typeof status === 'string' ? status : 'success');
                    return result;
                }
                catch (err) {
                    workflowMetrics.finished(isCancellation(err) ? 'cancelled' : 'failed');
                    throw err;
                }
            },
        },
    ],
});
