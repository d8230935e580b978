// What the activities need from the outside world; the worker builds it once.
import type { PodFacade } from '../src/kube/pod-facade.ts';
import type { LogStore } from '../src/logs/log-store.ts';

export interface ActivityDeps {
  pods: PodFacade;
  logs: LogStore;
  /** Seconds one follow session of a running command lasts before re-attaching. */
  followSessionSeconds?: number;
}
