// What the activities need from the outside world; the worker builds it once.
import type { BuildSecrets } from '../src/kube/build-secret.ts';
import type { PodFacade } from '../src/kube/pod-facade.ts';
import type { PodPolicy } from '../src/pod/pod-policy.ts';
import type { WorkerPodSettings } from '../src/pod/worker-pod-settings.ts';
import type { BuildStore } from '../src/store/build-store.ts';
import type { StepLogOptions } from '../src/store/step-log.ts';

export interface ActivityDeps {
  pods: PodFacade;
  /** Where step logs and build records go. */
  store: BuildStore;
  /** Size cap, memory bound while the store is away, and where store trouble is told. */
  stepLog?: Omit<StepLogOptions, 'secrets'>;
  /** This worker's deployment identity, labelled on every pod it creates. */
  deployment?: string;
  /** Where builds keep their password inputs; read to mask them in logs. */
  secrets?: BuildSecrets;
  /** What steps' pods may use beyond their build's own Secret (default: nothing). */
  podPolicy?: PodPolicy;
  /** The worker's step images, pod defaults and docker builder, laid over every step pod. */
  podSettings?: WorkerPodSettings;
  /** Seconds one follow session of a running command lasts before re-attaching. */
  followSessionSeconds?: number;
  /**
   * Fault injection for crash tests: a pause right after the pod was created or its
   * deletion requested, a window in which a test kills the worker. Never set in production.
   */
  pauseAfterMs?: { createPod?: number; deletePod?: number };
}

/** Reads WHARF_TEMPORAL_PAUSE_AFTER="createPod=2000,deletePod=2000" (crash tests only). */
export function pausesFromEnv(value: string | undefined): ActivityDeps['pauseAfterMs'] {
  const pauses: NonNullable<ActivityDeps['pauseAfterMs']> = {};
  for (const part of (value ?? '').split(',')) {
    const [name, ms] = part.split('=');
    if ((name === 'createPod' || name === 'deletePod') && Number(ms) > 0) pauses[name] = Number(ms);
  }
  return pauses;
}

export function pause(ms: number | undefined): Promise<void> {
  return ms ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
