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
import { FailureType, kubernetesFailure, permanentFailure } from './failures.ts';
import { FILE_VARIABLES_KEY, GIT_URL_KEY } from '../src/plan/build-plan.ts';
import { gitRefProblem, gitUrlProblem, maskUrlCredentials, urlCredentials } from '../src/source/git-source.ts';
import { maskText } from '../src/logs/secret-mask.ts';
import type { VarValue } from '../src/varsub/substitute.ts';
import { remark } from './remark.ts';
import { keepHeartbeating } from './heartbeat.ts';
import { waitUntilReady } from './await-pod-ready.ts';

const EXTRACT = 'mkdir -p "$1" && tar -x -f - -C "$1"';
// Clone once; a retry finds the repository and only checks the ref out again. The URL and
// the ref are checked (never an option) and passed after `--` where git takes one.
const CLONE = [
  'set -e',
  'if [ ! -d "$1/.git" ]; then git clone --quiet --no-checkout -- "$2" "$1.clone" && mkdir -p "$1" && mv "$1.clone/.git" "$1/.git" && rm -rf "$1.clone"; fi',
  'cd "$1"',
  'git fetch --quiet -- origin "$3" 2>/dev/null || true',
  'git checkout --quiet --force "$3" -- 2>/dev/null || git checkout --quiet --force FETCH_HEAD --',
].join('\n');

/** Left-out paths named in the log and the result; the rest are counted. */
const MAX_REPORTED_SKIPS = 100;

export function transferSourceActivity(deps: ActivityDeps) {
  return async function transferSource(input: TransferSourceInput): Promise<{ files: number; skipped: string[] }> {
    const stop = keepHeartbeating(() => 'transferring');
    let stderr = '';
    const masks: string[] = [];
    const onStderr = (chunk: Buffer): void => {
      if (stderr.length < 8192) stderr += chunk.toString('utf8');
    };
    try {
      if (input.awaitReady)
        await waitUntilReady(deps, { pod: input.pod, pendingSeconds: input.awaitReady.pendingSeconds, log: input.log });
      if (input.source.kind === 'none') return { files: 0, skipped: [] };
      const stored = input.source.secretName ? await readBuildSecret(deps, input.source.secretName) : {};
      let exit: number;
      let files = 0;
      let skipped: string[] = [];
      let notes: string[] = [];
      if (input.source.kind === 'local') {
        const root = input.source.path;
        const listing = await listSourceFiles(root, input.onlyFiles ?? null).catch((err: unknown): SourceListing => {
          throw permanentFailure(
            `cannot list the source in ${root}: ${err instanceof Error ? err.message : String(err)}`,
            FailureType.SourceListingFailed,
          );
        });
        if (input.onlyFiles) {
          const found = new Set(listing.entries.map((e) => e.path));
          const missing = input.onlyFiles.filter((f) => !found.has(posix.normalize(f)));
          if (missing.length)
            throw permanentFailure(
              `the step's files are not in the source: ${missing.join(', ')}`,
              FailureType.SourceFileMissing,
            );
        }
        // Variables come with the step (a hand-made plan) or from the build's Secret.
        const variables =
          input.variables ??
          (input.onlyFiles && stored[FILE_VARIABLES_KEY]
            ? (JSON.parse(stored[FILE_VARIABLES_KEY]) as Record<string, VarValue>)
            : undefined);
        const entries = variables ? await substituteEntries(listing.entries, variables) : listing.entries;
        files = entries.filter((e) => e.type !== 'directory').length;
        skipped = listing.skipped.map((s) => `${s.path}: ${s.reason}`);
        notes = listing.notes;
        exit = await deps.pods.exec(
          input.pod.name,
          input.container,
          ['/bin/sh', '-c', EXTRACT, 'extract', input.path],
          {
            stdin: packSource(entries),
            onStderr,
            signal: cancellationSignal(),
          },
        );
      } else {
        const url = stored[GIT_URL_KEY] ?? input.source.url;
        const problem = gitUrlProblem(url) ?? gitRefProblem(input.source.ref);
        if (problem)
          throw permanentFailure(
            `cannot clone ${maskUrlCredentials(url)} at ${input.source.ref}: ${problem}`,
            FailureType.SourceTransferFailed,
          );
        masks.push(...urlCredentials(url));
        exit = await deps.pods.exec(
          input.pod.name,
          input.container,
          ['/bin/sh', '-c', CLONE, 'clone', input.path, url, input.source.ref],
          { onStderr, signal: cancellationSignal() },
        );
      }
      if (input.log) {
        const lines = [
          {
            text:
              input.source.kind === 'git'
                ? `cloned ${maskUrlCredentials(input.source.url)} at ${input.source.ref} into ${input.path}`
                : `sent ${files} file(s) to ${input.path}`,
          },
        ];
        for (const n of notes) lines.push({ text: n });
        for (const s of skipped.slice(0, MAX_REPORTED_SKIPS)) lines.push({ text: `left out ${s}` });
        if (skipped.length > MAX_REPORTED_SKIPS)
          lines.push({ text: `left out ${skipped.length - MAX_REPORTED_SKIPS} more path(s)` });
        if (exit === 0)
          await remark(
            deps,
            input.log,
            lines.map((l) => l.text),
          );
      }
      if (exit !== 0) {
        throw permanentFailure(
          `could not put the source into ${input.pod.name} at ${input.path} (exit ${exit}): ${maskText(stderr.trim(), masks)}`,
          FailureType.SourceTransferFailed,
        );
      }
      return { files, skipped: skipped.slice(0, MAX_REPORTED_SKIPS) };
    } catch (err) {
      if (err instanceof ExecConnectionLost) throw new Error(`source transfer interrupted: ${err.message}`); // retried
      if (err instanceof SourceReadError) {
        // A file that vanished or changed may be settled on the next attempt; an unreadable one is not.
        const message = `could not send the source to ${input.pod.name}: ${err.message}`;
        if (err.code === 'ENOENT' || err.code === 'CHANGED')
          throw ApplicationFailure.retryable(message, FailureType.SourceUnreadable);
        throw permanentFailure(message, FailureType.SourceUnreadable);
      }
      throw err;
    } finally {
      stop();
    }
  };
}

/** The build Secret's values; a Secret that is gone fails the step (its build is over or broken). */
async function readBuildSecret(deps: ActivityDeps, name: string): Promise<Record<string, string>> {
  if (!deps.secrets) return {};
  const values = await deps.secrets.read(name).catch((err: unknown) => {
    throw kubernetesFailure(err, `reading Secret ${name}`);
  });
  if (values === null)
    throw permanentFailure(`the build's Secret ${name} does not exist (any more)`, FailureType.BuildSecretMissing);
  return values;
}
