// The tar stream of a step's source, written by tar-stream. What goes in is decided by
// the listing (source-files.ts); this adds only the encoding policy: owner root, the
// listed modes, dates before 1970 kept in a PAX record. Files are read as their turn
// comes, with backpressure from whoever reads the stream.
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { pack, type Header, type Pack } from 'tar-stream';
import { SourceReadError, type SourceEntry } from './source-entry.ts';

/** The tar of `entries`; a file that cannot be read ends it with a SourceReadError naming it. */
export async function* packSource(entries: Iterable<SourceEntry>): AsyncGenerator<Buffer> {
  const tar = pack();
  let failure: Error | null = null;
  tar.on('error', () => {}); // reported through the iteration below
  void writeEntries(tar, entries).then(
    () => tar.finalize(),
    (err: unknown) => {
      failure = err instanceof Error ? err : new Error(String(err));
      tar.destroy(failure);
    },
  );
  let ended = false;
  try {
    // A streamx Readable: async-iterable at run time, though its types do not say so.
    for await (const chunk of tar as unknown as AsyncIterable<Buffer>) yield chunk;
    ended = true;
  } catch (err) {
    throw failure ?? err;
  } finally {
    if (!ended) tar.destroy(); // the reader stopped early
  }
  if (failure) throw failure;
}

type Headers = Partial<Header> & Pick<Header, 'name'>;

async function writeEntries(tar: Pack, entries: Iterable<SourceEntry>): Promise<void> {
  for (const entry of entries) {
    const header: Headers = { name: entry.path, ...times(entry.mtime), uid: 0, gid: 0 };
    switch (entry.type) {
      case 'directory':
        await add(tar, { ...header, type: 'directory', mode: entry.mode });
        break;
      case 'symlink':
        await add(tar, { ...header, type: 'symlink', linkname: entry.target, mode: 0o777 });
        break;
      case 'file':
        if ('content' in entry)
          await add(tar, { ...header, type: 'file', mode: entry.mode, size: entry.content.length }, entry.content);
        else
          await addFile(tar, { ...header, type: 'file', mode: entry.mode, size: entry.size }, entry.source, entry.path);
        break;
    }
  }
}

function add(tar: Pack, header: Headers, content?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error | null): void => (err ? reject(err) : resolve());
    if (content) tar.entry(header, content, done);
    else tar.entry(header, done).end(Buffer.alloc(0));
  });
}

/** Streams one file into its entry: at most the listed size, and exactly that or an error. */
async function addFile(tar: Pack, header: Headers, source: string, path: string): Promise<void> {
  const size = header.size ?? 0;
  if (size === 0) return add(tar, header, Buffer.alloc(0));
  let settle!: (err?: Error | null) => void;
  const finished = new Promise<void>((resolve, reject) => (settle = (err) => (err ? reject(err) : resolve())));
  finished.catch(() => {}); // awaited below, unless reading fails first
  const sink = tar.entry(header, (err) => settle(err));
  sink.on('error', () => {}); // reported through the entry's callback
  let sent = 0;
  try {
    // A file that grew since it was listed is cut at its listed size.
    for await (const chunk of createReadStream(source, { end: size - 1 })) {
      const buf = chunk as Buffer;
      sent += buf.length;
      if (!sink.write(buf)) await once(sink, 'drain');
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    // The entry is left unfinished: the whole tar ends with this error.
    throw new SourceReadError(
      path,
      code,
      `cannot read ${path}: ${code === 'ENOENT' ? 'it vanished while the source was being sent' : (err as Error).message}`,
    );
  }
  if (sent < size) {
    throw new SourceReadError(
      path,
      'CHANGED',
      `cannot send ${path}: it shrank from ${size} to ${sent} bytes while the source was being sent`,
    );
  }
  sink.end(Buffer.alloc(0));
  await finished;
}

/** Dates before 1970 do not fit a ustar header: it says 1970 and a PAX record the real date. */
function times(mtime: Date): { mtime: Date; pax?: Record<string, string> } {
  const seconds = Math.floor(mtime.getTime() / 1000);
  if (seconds >= 0) return { mtime };
  return { mtime: new Date(0), pax: { mtime: String(seconds) } };
}
