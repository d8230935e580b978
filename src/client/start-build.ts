// Starts a build workflow with what makes it findable in the Temporal Web UI: search
// attributes (repository, branch, environment, status, file), a memo and a summary.
import type { Client, WorkflowHandle } from '@temporalio/client';
// Only the workflow's type: the CLI that starts builds need not load the workflow code.
import type { buildWorkflow } from '../../workflows/build.ts';
import {
  WharfBranch,
  WharfBuildStatus,
  WharfEnvironment,
  WharfFile,
  WharfRepository,
} from '../../workflows/search-attributes.ts';
import type { BuildWorkflowInput } from '../../workflows/types.ts';
import { maskUrlCredentials } from '../source/git-source.ts';

export interface BuildLabels {
  repository: string;
  branch: string;
}

export function startBuild(
  client: Client,
  taskQueue: string,
  input: BuildWorkflowInput,
  labels: BuildLabels,
): Promise<WorkflowHandle<typeof buildWorkflow>> {
  const environment = input.plan.environment ?? '';
  return client.workflow.start<typeof buildWorkflow>('buildWorkflow', {
    taskQueue,
    workflowId: input.buildId,
    args: [input],
    typedSearchAttributes: [
      { key: WharfRepository, value: labels.repository },
      { key: WharfBranch, value: labels.branch },
      { key: WharfEnvironment, value: environment },
      { key: WharfBuildStatus, value: 'running' },
      { key: WharfFile, value: input.plan.file },
    ],
    memo: {
      repository: labels.repository,
      branch: labels.branch,
      environment,
      file: input.plan.file,
      source: describeSource(input),
    },
    staticSummary: `${labels.repository}${labels.branch ? `@${labels.branch}` : ''}${environment ? ` → ${environment}` : ''}: ${input.plan.stages.map((s) => s.name).join(' → ')}`,
  });
}

function describeSource(input: BuildWorkflowInput): string {
  switch (input.source.kind) {
    case 'local':
      return `local:${input.source.path}`;
    case 'git':
      return `git:${maskUrlCredentials(input.source.url)}#${input.source.ref}`;
    case 'none':
      return 'none';
  }
}

/** A build id that reads well in lists and stays a valid Kubernetes label value. */
export function newBuildId(repository: string, now = new Date(), random = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const suffix = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  const repo =
    repository
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 30) || 'build';
  return `${repo}-${stamp}-${suffix}`;
}
