// `wharf-temporal list`: recent builds with their repository, branch, environment and status.
import type { WorkflowExecutionInfo } from '@temporalio/client';
import type { BuildRecord } from '../../store/build-store.ts';
import { connectClient } from '../../client/temporal-client.ts';
import {
  WharfBranch,
  WharfBuildStatus,
  WharfEnvironment,
  WharfRepository,
} from '../../../workflows/search-attributes.ts';
import { CONNECTION_HELP, CONNECTION_OPTIONS, resolveConnection } from '../connection-flags.ts';
import { openStoreOf, STORE_HELP, STORE_OPTIONS } from '../store-flags.ts';
import { parseCommandArgs, positiveInt } from '../parse-command-args.ts';

export const HELP = `usage: wharf-temporal list [--limit N] [--status STATUS] [--repository NAME] [--json]

Recent builds, newest first, from Temporal and the build store (which keeps finished
builds after Temporal has forgotten them). STATUS: running, success, failed, cancelled.

${CONNECTION_HELP}
${STORE_HELP}`;

export async function listCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('list', argv, {
    ...CONNECTION_OPTIONS,
    ...STORE_OPTIONS,
    limit: { type: 'string' },
    status: { type: 'string' },
    repository: { type: 'string' },
    json: { type: 'boolean' },
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
  const { store } = await openStoreOf(values);
  try {
    const rows: BuildRow[] = [];
    for await (const wf of client.workflow.list({ query: filters.join(' AND '), pageSize: limit })) {
      rows.push(describe(wf));
      if (rows.length >= limit) break;
    }
    // Builds Temporal has forgotten (past its retention) are still in the build store.
    const seen = new Set(rows.map((r) => r.id));
    const query = {
      limit,
      ...(values.status ? { status: values.status } : {}),
      ...(values.repository ? { repository: values.repository } : {}),
    };
    for (const record of await store.listBuilds(query)) {
      if (!seen.has(record.buildId)) rows.push(fromRecord(record));
    }
    rows.sort((a, b) => b.started.localeCompare(a.started));
    const shown = rows.slice(0, limit);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      return 0;
    }
    printTable([
      ['BUILD', 'STATUS', 'REPOSITORY', 'BRANCH', 'ENV', 'STARTED', 'TOOK'],
      ...shown.map((row) => [
        row.id,
        row.status,
        row.repository,
        row.branch,
        row.environment,
        row.started,
        `${row.durationSeconds}s`,
      ]),
    ]);
    return 0;
  } finally {
    await close();
    await store.close();
  }
}

interface BuildRow {
  id: string;
  status: string;
  repository: string;
  branch: string;
  environment: string;
  started: string;
  durationSeconds: number;
}

function fromRecord(record: BuildRecord): BuildRow {
  return {
    id: record.buildId,
    status: record.status,
    repository: record.repository,
    branch: record.branch,
    environment: record.environment ?? '',
    started: timestamp(new Date(record.startedAt)),
    durationSeconds: Math.round((record.finishedAt - record.startedAt) / 100) / 10,
  };
}

function timestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 19);
}

function describe(wf: WorkflowExecutionInfo): BuildRow {
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
    started: timestamp(wf.startTime),
    durationSeconds: Math.round(((wf.closeTime ?? new Date()).getTime() - wf.startTime.getTime()) / 100) / 10,
  };
}

function quote(value: string): string {
  return `'${value.replace(/'/g, "\\'")}'`;
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const row of rows)
    process.stdout.write(
      `${row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd()}\n`,
    );
}
