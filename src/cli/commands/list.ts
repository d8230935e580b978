// `wharf-temporal list`: recent builds with their repository, branch, environment and status.
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { connectClient } from '../../client/temporal-client.ts';
import { WharfBranch, WharfBuildStatus, WharfEnvironment, WharfRepository } from '../../../workflows/search-attributes.ts';
import { CONNECTION_HELP, CONNECTION_OPTIONS, resolveConnection } from '../connection-flags.ts';
import { parseCommandArgs, positiveInt } from '../parse-command-args.ts';

export const HELP = `usage: wharf-temporal list [--limit N] [--status STATUS] [--repository NAME] [--json]

Recent builds, newest first. STATUS: running, success, failed, cancelled.

${CONNECTION_HELP}`;

export async function listCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('list', argv, {
    ...CONNECTION_OPTIONS, limit: { type: 'string' }, status: { type: 'string' }, repository: { type: 'string' }, json: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const limit = positiveInt('limit', values.limit, 20);
  const filters = [`WorkflowType = 'buildWorkflow'`];
  if (values.status) filters.push(`WharfBuildStatus = ${quote(values.status)}`);
  if (values.repository) filters.push(`WharfRepository = ${quote(values.repository)}`);
  const { client, close } = await connectClient(resolveConnection(values));
  try {
    const rows: string[][] = [];
    const json: unknown[] = [];
    for await (const wf of client.workflow.list({ query: filters.join(' AND '), pageSize: limit })) {
      const row = describe(wf);
      rows.push([row.id, row.status, row.repository, row.branch, row.environment, row.started, `${row.durationSeconds}s`]);
      json.push(row);
      if (rows.length >= limit) break;
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      return 0;
    }
    printTable([['BUILD', 'STATUS', 'REPOSITORY', 'BRANCH', 'ENV', 'STARTED', 'TOOK'], ...rows]);
    return 0;
  } finally {
    await close();
  }
}

function describe(wf: WorkflowExecutionInfo) {
  const sa = wf.typedSearchAttributes;
  // The build keeps its own status up to date, except when it is ended from outside
  // (terminated, timed out): then the workflow's status tells.
  const own = sa.get(WharfBuildStatus);
  const closedFromOutside = wf.status.name !== 'RUNNING' && (own === undefined || own === 'running');
  return {
    id: wf.workflowId,
    status: closedFromOutside || own === undefined ? wf.status.name.toLowerCase() : own,
    repository: sa.get(WharfRepository) ?? '',
    branch: sa.get(WharfBranch) ?? '',
    environment: sa.get(WharfEnvironment) ?? '',
    started: wf.startTime.toISOString().replace('T', ' ').slice(0, 19),
    durationSeconds: Math.round(((wf.closeTime ?? new Date()).getTime() - wf.startTime.getTime()) / 100) / 10,
  };
}

function quote(value: string): string {
  return `'${value.replace(/'/g, "\\'")}'`;
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const row of rows) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
}
