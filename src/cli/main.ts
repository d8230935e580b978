// Dispatches `wharf-temporal <command>` to the command modules. Users see one-line
// errors, never stack traces: UsageError -> exit 2, other known errors -> exit 1.
import { ConfigError } from '../config/runtime-config.ts';
import { cancelCommand } from './commands/cancel.ts';
import { codecServerCommand } from './commands/codec-server.ts';
import { listCommand } from './commands/list.ts';
import { logsCommand } from './commands/logs.ts';
import { planCommand } from './commands/plan.ts';
import { runCommand } from './commands/run.ts';
import { statusCommand } from './commands/status.ts';
import { validateCommand } from './commands/validate.ts';
import { workerCommand } from './commands/worker.ts';
import { UsageError } from './usage-error.ts';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  validate: { run: validateCommand, summary: 'check a build definition; print every error with its position' },
  plan: { run: planCommand, summary: 'print the resolved stages, steps and pod manifests' },
  run: { run: runCommand, summary: 'run a build and follow it live' },
  worker: { run: workerCommand, summary: 'run builds from the task queue' },
  status: { run: statusCommand, summary: "show a build's stages, steps and states" },
  list: { run: listCommand, summary: 'list recent builds' },
  logs: { run: logsCommand, summary: "print a build's logs (--follow while it runs)" },
  cancel: { run: cancelCommand, summary: 'cancel a running build' },
  'codec-server': { run: codecServerCommand, summary: 'serve the payload codec to the Temporal Web UI' },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: wharf-temporal <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'wharf-temporal <command> --help' for a command's options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`wharf-temporal: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`wharf-temporal ${err.message.startsWith(`${name}:`) ? err.message : `${name}: ${err.message}`}\n`);
      return 2;
    }
    process.stderr.write(`wharf-temporal ${name}: ${describeError(err)}\n`);
    if (process.env.WHARF_TEMPORAL_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

function describeError(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  if (err instanceof Error) {
    if (err.name === 'WorkflowNotFoundError') return `no such build (${err.message})`;
    const cause = (err as { cause?: unknown }).cause;
    if (/UNAVAILABLE|ECONNREFUSED/.test(err.message) || (cause instanceof Error && /ECONNREFUSED/.test(cause.message))) {
      return `cannot reach the Temporal server: ${err.message.split('\n')[0]}`;
    }
    return err.message.split('\n')[0] ?? err.message;
  }
  return String(err);
}
