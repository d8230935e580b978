// Variable substitution in the files a step with file filters receives (Wharf does this
// for helm's `files` and kubectl's `file`/`files`).
import { readFile } from 'node:fs/promises';
import { layeredLookup, substitute, type VarValue } from '../varsub/substitute.ts';
import { SourceReadError, type SourceEntry } from './source-entry.ts';

export async function substituteEntries(
  entries: SourceEntry[],
  variables: Record<string, VarValue>,
): Promise<SourceEntry[]> {
  const lookup = layeredLookup([variables]);
  return Promise.all(
    entries.map(async (entry): Promise<SourceEntry> => {
      if (entry.type !== 'file') return entry;
      const original =
        'content' in entry
          ? entry.content
          : await readFile(entry.source).catch((err: NodeJS.ErrnoException) => {
              throw new SourceReadError(entry.path, err.code ?? 'EIO', `cannot read ${entry.path}: ${err.message}`);
            });
      const content = Buffer.from(String(substitute(original.toString('utf8'), lookup)), 'utf8');
      return { type: 'file', path: entry.path, content, size: content.length, mode: entry.mode, mtime: entry.mtime };
    }),
  );
}
