// Queries the CLI and the Web UI use to see a build while it runs (and after).
import { defineQuery } from '@temporalio/workflow';
export const buildStatusQuery = defineQuery('buildStatus');
export const stepStatusQuery = defineQuery('stepStatus');
