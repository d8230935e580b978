// `wharf-temporal run [file]`: plans the build (parse, substitute, translate), starts it
// and follows it live. With no Temporal address configured it uses the local lab and an
// in-process worker, so one command runs a real build. Exit code 0 only on success.
import { execFileSync } from 'node:child_process';
import { basename, dirname, resolve } from 'node:path';
import type { RuntimeConfig } from '../../config/runtime-config.ts';
import { resolveWorkerSettings } from '../../config/worker-settings.ts';
import type { BuildSecrets } from '../../kube/build-secret.ts';
import { runBuild } from '../../client/run-build.ts';
import { resolveDeployment } from '../../worker/deployment.ts';
import { newBuildId } from '../../client/start-build.ts';
import { DEFAULT_ACTIVE_DEADLINE_SECONDS, formatErrors, makePlan } from '../../plan/make-plan.ts';
import { buildSecretName, GIT_URL_KEY } from '../../plan/build-plan.ts';
import { gitRefProblem, gitUrlProblem, maskUrlCredentials, urlCredentials } from '../../source/git-source.ts';
import { printPlanRemarks } from '../output/plan-remarks.ts';
import type { SourceSpec } from '../../../workflows/types.ts';
import { CONNECTION_HELP, CONNECTION_OPTIONS, resolveConnection } from '../connection-flags.ts';
import { openStoreOf, STORE_HELP, STORE_OPTIONS } from '../store-flags.ts';
import { Terminal } from '../output/terminal.ts';
import { parseCommandArgs, positiveInt } from '../parse-command-args.ts';
import { UsageError } from '../usage-error.ts';
import { parseInputs } from './validate.ts';

export const HELP = `usage: wharf-temporal run [file] [options]

Runs the build in [file] (default: .wharf-ci.yml) and follows it.

  --env NAME              the environment to build for
  --input KEY=VALUE       an input value (repeatable)
  --stage NAME            run only this stage (repeatable)
  --source DIR            the source tree to send to the steps (default: the definition file's folder)
  --git URL --ref REF     let the steps clone the source instead (for a worker on another machine)
  --no-source             send no source
  --worker / --no-worker  run an in-process worker (default: only when using the local lab)
  --detach                start the build and return; a worker elsewhere runs it (follow
                          it with \`wharf-temporal logs <build> --follow\`)
  --pending-timeout SEC   how long a pod may take to become ready (default 300, at most 86400)
  --timeout SEC           how long a step's command may run (default 3600, at most 604800);
                          a step's pod lives at least 4 h, longer when the budgets need it
  --heartbeat SEC         heartbeat timeout of long activities (default 20, at most 3600)
${CONNECTION_HELP}
${STORE_HELP}`;

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('run', argv, {
    ...CONNECTION_OPTIONS,
    ...STORE_OPTIONS,
    env: { type: 'string' },
    input: { type: 'string', multiple: true },
    stage: { type: 'string', multiple: true },
    source: { type: 'string' },
    git: { type: 'string' },
    ref: { type: 'string' },
    'no-source': { type: 'boolean' },
    worker: { type: 'boolean' },
    'no-worker': { type: 'boolean' },
    detach: { type: 'boolean' },
    'pending-timeout': { type: 'string' },
    timeout: { type: 'string' },
    heartbeat: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`run: one definition file at a time, got ${positionals.length}`);
  if (values.detach && values.worker)
    throw new UsageError('run: --detach leaves the build to a worker elsewhere; it goes without --worker');
  const file = positionals[0] ?? '.wharf-ci.yml';
  const inputs = parseInputs(values.input ?? []);
  const source = chooseSource(file, values);
  const repository = repositoryName(file);
  const buildId = newBuildId(repository);

  // Secret values travel in the build's own Kubernetes Secret, never in the workflow's input.
  const buildSecret = buildSecretName(buildId);
  const timeouts = {
    pendingSeconds: positiveInt('pending-timeout', values['pending-timeout'], 300, MAX_PENDING_SECONDS),
    runSeconds: positiveInt('timeout', values.timeout, 3600, MAX_RUN_SECONDS),
    heartbeatSeconds: positiveInt('heartbeat', values.heartbeat, 20, MAX_HEARTBEAT_SECONDS),
  };
  const planned = makePlan({
    file,
    env: values.env ?? null,
    inputs,
    buildId,
    environ: process.env,
    activeDeadlineSeconds: podDeadline(timeouts),
  });
  if ('errors' in planned) {
    process.stderr.write(formatErrors(planned.errors));
    return 1;
  }
  printPlanRemarks(planned, values.env ?? null);
  if (planned.plan.stages.length === 0) {
    process.stderr.write(
      `${file}: no stage to run ${values.env ? `in environment ${values.env}` : 'without an environment (--env)'}\n`,
    );
    return 1;
  }
  const config = resolveConnection(values);
  const unknownStages = (values.stage ?? []).filter((s) => !planned.plan.stages.some((st) => st.name === s));
  if (unknownStages.length) {
    const filtered = unknownStages.filter((s) => planned.leftOut.includes(s));
    if (filtered.length)
      throw new UsageError(
        `run: stage ${filtered.join(', ')} of ${file} is not for ${values.env ? `environment ${values.env}` : 'a build without --env'}`,
      );
    throw new UsageError(`run: no stage named ${unknownStages.join(', ')} in ${file}`);
  }
  const plan = planned.plan;
  const stored = { ...planned.secretValues };
  if (source.kind === 'git' && urlCredentials(source.url).length) {
    stored[GIT_URL_KEY] = source.url;
    source.url = maskUrlCredentials(source.url);
  }
  const hasSecret = Object.keys(stored).length > 0;
  if (hasSecret && source.kind !== 'none') source.secretName = buildSecret;
  // The deployment whose workers run the build: its sweeper deletes the Secret if need be.
  const deployment = resolveDeployment(config, undefined);
  // The Kubernetes client is loaded only for a build that has secret values to store.
  const secrets = hasSecret ? await buildSecrets(config) : null;
  if (secrets) {
    try {
      await secrets.create(buildSecret, buildId, stored, deployment);
    } catch (err) {
      const { describeApiError } = await import('../../kube/api-error.ts');
      throw new Error(
        `cannot store the build's secret values in Secret ${config.kubeNamespace}/${buildSecret}: ${describeApiError(err).message}`,
      );
    }
  }
  const { settings: storeSettings, store } = await openStoreOf(values);
  try {
    return await runBuild({
      config,
      store,
      storeSettings,
      deployment,
      input: {
        buildId,
        plan,
        source,
        onlyStages: values.stage ?? [],
        timeouts,
      },
      labels: { repository, branch: gitOutput(dirname(resolve(file)), ['rev-parse', '--abbrev-ref', 'HEAD']) ?? '' },
      inProcessWorker: values['no-worker'] || values.detach ? false : values.worker ? true : config.fromLab,
      // The in-process worker takes its pod settings from the environment, as `worker` does.
      podSettings: resolveWorkerSettings(),
      detach: values.detach === true,
      maxConcurrentSteps: 50,
      terminal: new Terminal(),
    });
  } finally {
    // A detached build still needs it: the workers' sweeper deletes it once the build is
    // over, as it does should this process die first.
    if (secrets && !values.detach) await secrets.delete(buildSecret).catch(() => {});
    await store.close();
  }
}

const MAX_PENDING_SECONDS = 86_400;
const MAX_RUN_SECONDS = 7 * 86_400;
const MAX_HEARTBEAT_SECONDS = 3600;
/** Time a pod needs besides waiting and running: the source transfer's budget and deletion. */
const POD_OVERHEAD_SECONDS = 30 * 60 + 5 * 60;

/** A step's pod lives at least as long as its budgets allow (the default 4 h, or more for longer ones). */
export function podDeadline(timeouts: { pendingSeconds: number; runSeconds: number }): number {
  return Math.max(
    DEFAULT_ACTIVE_DEADLINE_SECONDS,
    timeouts.pendingSeconds + timeouts.runSeconds + POD_OVERHEAD_SECONDS,
  );
}

async function buildSecrets(config: RuntimeConfig): Promise<BuildSecrets> {
  const [{ BuildSecrets }, { loadClusterConfig }] = await Promise.all([
    import('../../kube/build-secret.ts'),
    import('../../kube/kube-config.ts'),
  ]);
  return new BuildSecrets(loadClusterConfig(config), config.kubeNamespace);
}

function chooseSource(
  file: string,
  values: { source?: string; git?: string; ref?: string; 'no-source'?: boolean },
): SourceSpec {
  const chosen = [values.source !== undefined, values.git !== undefined, values['no-source'] === true].filter(
    Boolean,
  ).length;
  if (chosen > 1) throw new UsageError('run: choose one of --source, --git and --no-source');
  if (values['no-source']) return { kind: 'none' };
  if (values.git !== undefined) {
    const ref = values.ref ?? 'HEAD';
    const problem = gitUrlProblem(values.git);
    if (problem) throw new UsageError(`run: --git ${maskUrlCredentials(values.git)}: ${problem}`);
    const refProblem = gitRefProblem(ref);
    if (refProblem) throw new UsageError(`run: --ref ${ref}: ${refProblem}`);
    return { kind: 'git', url: values.git, ref };
  }
  if (values.ref) throw new UsageError('run: --ref goes with --git');
  // Like Wharf: the folder of the definition file (its git ignore rules still apply).
  return { kind: 'local', path: resolve(values.source ?? dirname(resolve(file))) };
}

function repositoryName(file: string): string {
  const dir = dirname(resolve(file));
  return basename(gitOutput(dir, ['rev-parse', '--show-toplevel']) ?? dir);
}

function gitOutput(cwd: string, args: string[]): string | null {
  try {
    return (
      execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() ||
      null
    );
  } catch {
    return null;
  }
}
