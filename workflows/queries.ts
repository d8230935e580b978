// Queries the CLI and the Web UI use to see a build while it runs (and after).
import { defineQuery } from '@temporalio/workflow';
import type { BuildResult, StepPhase } from './types.ts';

export const buildStatusQuery = defineQuery<BuildResult>('buildStatus');

export interface StepStatusView {
  phase: StepPhase;
  pod: string | null;
}

export const stepStatusQuery = defineQuery<StepStatusView>('stepStatus');
