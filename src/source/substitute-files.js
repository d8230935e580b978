// Variable substitution in the files a step with file filters receives (Wharf does this
// for helm's `files` and kubectl's `file`/`files`).
import { readFileSync } from 'node:fs';
import { layeredLookup, substitute } from '../varsub/substitute.js';
export function substituteEntries(entries, variables) {
    const lookup = layeredLookup([variables]);
    return entries.map((entry) => {
        if (entry.type !== 'file')
            return entry;
        const original = 'content' in entry ? entry.content : readFileSync(entry.source);
        const content = Buffer.from(String(substitute(original.toString('utf8'), lookup)), 'utf8');
        return { type: 'file', path: entry.path, content, size: content.length, mode: entry.mode, mtime: entry.mtime };
    });
}
