// Heartbeats on a timer while a long activity waits, so that the server knows the worker
// is alive and cancellation reaches the activity. The SDK throttles what it sends.
import { activityInfo, heartbeat } from '@temporalio/activity';
export function keepHeartbeating(details) {
    const timeoutMs = activityInfo().heartbeatTimeoutMs ?? 20_000;
    const every = Math.max(1000, Math.min(5_000, Math.floor(timeoutMs / 3)));
    heartbeat(details());
    const timer = setInterval(() => heartbeat(details()), every);
    return () => clearInterval(timer);
}
