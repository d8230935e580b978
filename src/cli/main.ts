// Dispatches `wharf-temporal <command>` to the command modules.
export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write('usage: wharf-temporal <command> [options]\n');
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`wharf-temporal: unknown command '${command}'\n`);
  return 2;
}
