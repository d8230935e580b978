// Puts the build's source tree into the step pod: a local tree as a tar stream over the
// exec's stdin, a git source cloned by the pod itself. Idempotent: a retry extracts or
// checks out the same content again.
import { posix } from 'node:path';
import { cancellationSignal } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ExecConnectionLost } from '../src/kube/pod-exec.ts';
import { SourceReadError } from '../src/source/source-entry.ts';
import { listSourceFiles, type SourceListing } from '../src/source/source-files.ts';
import { packSource } from '../src/source/source-tar.ts';
import { substituteEntries } from '../src/source/substitute-files.ts';
import type { TransferSourceInput } from '../workflows/types.ts';
import type { ActivityDeps } from './deps.ts';
import { FailureType, permanentFailure } from './failures.ts';
import { remark } from './remark.ts';
import { keepHeartbeating } from './heartbeat.ts';

const EXTRACT = 'mkdir -p "$1" && tar -x -f - -C "$1"';
// Clone once; a retry finds the repository and only checks the ref out again.
const CLONE = [
  'set -e',
  'if [ ! -d "$1/.git" ]; then git clone --quiet --no-checkout "$2" "$1.clone" && mkdir -p "$1" && mv "$1.clone/.git" "$1/.git" && rm -rf "$1.clone"; fi',
  'cd "$1"',
  'git fetch --quiet origin "$3" 2>/dev/null || true',
  'git checkout --quiet --force "$3" 2>/dev/null || git checkout --quiet --force FETCH_HEAD',
].join('\n');

/** Left-out paths named in the log and the result; the rest are counted. */
const MAX_REPORTED_SKIPS = 100;

export function transferSourceActivity(deps: ActivityDeps) {
  return async function transferSource(input: TransferSourceInput): Promise<{ files: number; skipped: string[] }> {
    const stop = keepHeartbeating(() => 'transferring');
    let stderr = '';
    const onStderr = (chunk: Buffer): void => {
      if (stderr.length < 8192) stderr += chunk.toString('utf8');
    };
    try {
      if (input.source.kind === 'none') return { files: 0, skipped: [] };
      let exit: number;
      let files = 0;
      let skipped: string[] = [];
      let notes: string[] = [];
      if (input.source.kind === 'local') {
        const root = input.source.path;
        const listing = await listSourceFiles(root, input.onlyFiles ?? null).catch((err: unknown): SourceListing => {
          throw permanentFailure(`cannot list the source in ${root}: ${err instanceof Error ? err.message : String(err)}`, FailureType.SourceListingFailed);
        });
        if (input.onlyFiles) {
          const found = new Set(listing.entries.map((e) => e.path));
          const missing = input.onlyFiles.filter((f) => !found.has(posix.normalize(f)));
          if (missing.length) throw permanentFailure(`the step's files are not in the source: ${missing.join(', ')}`, FailureType.SourceFileMissing);
        }
        const entries = input.variables ? await substituteEntries(listing.entries, input.variables) : listing.entries;
        files = entries.filter((e) => e.type !== 'directory').length;
        skipped = listing.skipped.map((s) => `${s.path}: ${s.reason}`);
        notes = listing.notes;
        exit = await deps.pods.exec(input.pod.name, input.container, ['/bin/sh', '-c', EXTRACT, 'extract', input.path], {
          stdin: packSource(entries),
          onStderr,
          signal: cancellationSignal(),
        });
      } else {
        exit = await deps.pods.exec(input.pod.name, input.container,
          ['/bin/sh', '-c', CLONE, 'clone', input.path, input.source.url, input.source.ref],
          { onStderr, signal: cancellationSignal() });
      }
      if (input.log) {
        const lines = [{ text: input.source.kind === 'git' ? `cloned ${input.source.url} at ${input.source.ref} into ${input.path}` : `sent ${files} file(s) to ${input.path}` }];
        for (const n of notes) lines.push({ text: n });
        for (const s of skipped.slice(0, MAX_REPORTED_SKIPS)) lines.push({ text: `left out ${s}` });
        if (skipped.length > MAX_REPORTED_SKIPS) lines.push({ text: `left out ${skipped.length - MAX_REPORTED_SKIPS} more path(s)` });
        if (exit === 0) await remark(deps, input.log, lines.map((l) => l.text));
      }
      if (exit !== 0) {
        throw permanentFailure(`could not put the source into ${input.pod.name} at ${input.path} (exit ${exit}): ${stderr.trim()}`, FailureType.SourceTransferFailed);
      }
      return { files, skipped: skipped.slice(0, MAX_REPORTED_SKIPS) };
    } catch (err) {
      if (err instanceof ExecConnectionLost) throw new Error(`source transfer interrupted: ${err.message}`); // retried
      if (err instanceof SourceReadError) {
        // A file that vanished or changed may be settled on the next attempt; an unreadable one is not.
        const message = `could not send the source to ${input.pod.name}: ${err.message}`;
        if (err.code === 'ENOENT' || err.code === 'CHANGED') throw ApplicationFailure.retryable(message, FailureType.SourceUnreadable);
        throw permanentFailure(message, FailureType.SourceUnreadable);
      }
      throw err;
    } finally {
      stop();
    }
  };
}
