// The activities' side of keeping secrets: the values come from the build's Secret (never
// the activity's input), are masked in the stream before it becomes log lines (multi-line
// values too), and a git URL's credentials never reach a log or a message. Fakes of the
// pod facade and the Secret store inject the outputs.
import assert from 'node:assert/strict';
import type { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../../activities/deps.ts';
import { runCommandActivity } from '../../../activities/run-command.ts';
import { transferSourceActivity } from '../../../activities/transfer-source.ts';
import { readAllRecords } from '../../../src/client/log-follower.ts';
import type { BuildSecrets } from '../../../src/kube/build-secret.ts';
import type { PodFacade } from '../../../src/kube/pod-facade.ts';
import type { FileStore } from '../../../src/store/file-store.ts';
import { activityEnvironment, scratchStore } from '../../support/activity-harness.ts';

type Exec = PodFacade['exec'];

function deps(exec: Exec, stored: Record<string, string>): ActivityDeps & { store: FileStore } {
  const pods = { exec, get: async () => null } as unknown as PodFacade;
  const secrets = {
    read: async (name: string) => (name === 'wharf-b1-inputs' ? stored : null),
  } as unknown as BuildSecrets;
  return { pods, secrets, store: scratchStore('step-secrets') };
}

const env = (): MockActivityEnvironment => activityEnvironment({ heartbeatTimeoutMs: 10_000 });
const frame = (tag: 'o' | 'e', text: string): Buffer =>
  Buffer.concat([Buffer.from(`${tag} ${Buffer.byteLength(text)}\n`), Buffer.from(text)]);

describe('secrets in the step activities', () => {
  it('runCommand masks the Secret values in the logs and the tail, a multi-line one split over frames too', async () => {
    const secret = 'first-line\nsecond-line';
    const exec: Exec = async (_pod, _container, _command, options) => {
      const chunks = [
        Buffer.from('s new\n'),
        frame('o', 'token: first-'),
        frame('o', 'line\nsecond-line!\nplain\n'),
        frame('e', 'err second-line\n'),
        Buffer.from('x 0\n'),
      ];
      for (const c of chunks) options?.onStdout?.(c);
      return 0;
    };
    const d = deps(exec, { WHARF_SECRET_TOKEN: secret, 'wharf-file-variables.json': '{"PLAIN":"plain"}' });
    const out: { logTail: string[] } = await env().run(runCommandActivity(d), {
      buildId: 'b1',
      stage: 's',
      step: 'x',
      pod: { name: 'p', uid: 'u' },
      container: 'step',
      command: ['true'],
      secrets: [],
      secretName: 'wharf-b1-inputs',
    });
    const lines = (await readAllRecords(d.store, 'b1', null)).map(({ record }) => record.l);
    assert.deepEqual(lines, ['token: ***!', 'plain', 'err ***']);
    assert.deepEqual(out.logTail.sort(), ['err ***', 'plain', 'token: ***!']);
  });

  it('transferSource clones the URL from the Secret and writes it masked; git sees the ref after its options', async () => {
    let argv: string[] = [];
    const exec: Exec = async (_pod, _container, command, options) => {
      argv = command;
      options?.onStderr?.(Buffer.from('fatal: could not read from https://bot:pa%24s@git.example/r.git\n'));
      return 0;
    };
    const d = deps(exec, { 'wharf-git-url': 'https://bot:pa%24s@git.example/r.git' });
    await env().run(transferSourceActivity(d), {
      pod: { name: 'p', uid: 'u' },
      container: 'step',
      path: '/mnt/repo',
      source: {
        kind: 'git' as const,
        url: 'https://bot:***@git.example/r.git',
        ref: 'main',
        secretName: 'wharf-b1-inputs',
      },
      log: { buildId: 'b1', stage: 's', step: 'x' },
    });
    assert.deepEqual(argv.slice(3), ['clone', '/mnt/repo', 'https://bot:pa%24s@git.example/r.git', 'main']);
    assert.match(argv[2]!, /git clone --quiet --no-checkout -- "\$2"/);
    assert.match(argv[2]!, /git checkout --quiet --force "\$3" --/);
    const lines = (await readAllRecords(d.store, 'b1', null)).map(({ record }) => record.l);
    assert.deepEqual(lines, ['cloned https://bot:***@git.example/r.git at main into /mnt/repo']);
  });

  it('transferSource refuses a ref or URL that git would read as an option, before any exec', async () => {
    let execs = 0;
    const d = deps(async () => ++execs && 0, {});
    for (const source of [
      { kind: 'git' as const, url: 'https://git.example/r.git', ref: '--upload-pack=touch /tmp/pwned' },
      { kind: 'git' as const, url: '--upload-pack=touch /tmp/pwned', ref: 'main' },
      { kind: 'git' as const, url: 'ext::sh -c touch% /tmp/pwned', ref: 'main' },
    ]) {
      await assert.rejects(
        env().run(transferSourceActivity(d), {
          pod: { name: 'p', uid: 'u' },
          container: 'step',
          path: '/mnt/repo',
          source,
        }),
        (err: Error) =>
          err.name === 'ApplicationFailure' &&
          /cannot clone/.test(err.message) &&
          (err as { nonRetryable?: boolean }).nonRetryable === true,
      );
    }
    assert.equal(execs, 0);
  });
});
