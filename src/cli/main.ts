// Dispatches `wharf-temporal <command>` to the command modules. Users see one-line
// errors, never stack traces: UsageError -> exit 2, other known errors -> exit 1.
// Each command's module is imported only when that command runs: `--help` and
// `validate` must not pay for the Temporal and Kubernetes clients.
import { ConfigError } from '../config/runtime-config.ts';
import { UsageError } from './usage-error.ts';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { load: () => Promise<Command>; summary: string }> = {
  validate: {
    load: async () => (await import('./commands/validate.ts')).validateCommand,
    summary: 'check a build definition; print every error with its position',
  },
  plan: {
    load: async () => (await import('./commands/plan.ts')).planCommand,
    summary: 'print the resolved stages, steps and pod manifests',
  },
  run: { load: async () => (await import('./commands/run.ts')).runCommand, summary: 'run a build and follow it live' },
  worker: {
    load: async () => (await import('./commands/worker.ts')).workerCommand,
    summary: 'run builds from the task queue',
  },
  status: {
    load: async () => (await import('./commands/status.ts')).statusCommand,
    summary: "show a build's stages, steps and states",
  },
  list: { load: async () => (await import('./commands/list.ts')).listCommand, summary: 'list recent builds' },
  logs: {
    load: async () => (await import('./commands/logs.ts')).logsCommand,
    summary: "print a build's logs (--follow while it runs)",
  },
  cancel: { load: async () => (await import('./commands/cancel.ts')).cancelCommand, summary: 'cancel a running build' },
  'codec-server': {
    load: async () => (await import('./commands/codec-server.ts')).codecServerCommand,
    summary: 'serve the payload codec to the Temporal Web UI',
  },
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
    return await (
      await command.load()
    )(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(
        `wharf-temporal ${err.message.startsWith(`${name}:`) ? err.message : `${name}: ${err.message}`}\n`,
      );
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
    if (
      /UNAVAILABLE|ECONNREFUSED/.test(err.message) ||
      (cause instanceof Error && /ECONNREFUSED/.test(cause.message))
    ) {
      return `cannot reach the Temporal server: ${err.message.split('\n')[0]}`;
    }
    return err.message.split('\n')[0] ?? err.message;
  }
  return String(err);
}
