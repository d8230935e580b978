// The docker step's kaniko command (as the plan has it, wharf-cmd's arguments) as the same
// build by BuildKit: `buildctl-daemonless.sh build` with the dockerfile frontend. Build
// arguments given by name only (their values come from the environment, from secrets)
// are resolved inside the container, so their values never appear in the command.
import { posix } from 'node:path';

export const KANIKO_EXECUTOR = '/kaniko/executor';
export const BUILDCTL_DAEMONLESS = 'buildctl-daemonless.sh';

// Turns the marked arguments into `--opt build-arg:NAME=$NAME` and runs buildctl.
const RESOLVE_ENV_ARGS = [
  'n=$#',
  'while [ "$n" -gt 0 ]; do',
  '  a=$1; shift; n=$((n - 1))',
  '  case $a in',
  '    build-arg-from-env:*) k=${a#build-arg-from-env:}; set -- "$@" --opt "build-arg:$k=$(printenv "$k" || true)" ;;',
  '    *) set -- "$@" "$a" ;;',
  '  esac',
  'done',
  `printf '$ %s\\n' "${BUILDCTL_DAEMONLESS} $*"`,
  `exec ${BUILDCTL_DAEMONLESS} "$@"`,
].join('\n');

export interface KanikoBuild {
  dockerfile: string;
  context: string;
  insecure: boolean;
  buildArgs: string[];
  destinations: string[];
  push: boolean;
}

/** Reads the arguments the docker recipe gives kaniko's executor. */
export function parseKanikoArgs(command: string[]): KanikoBuild {
  const build: KanikoBuild = {
    dockerfile: 'Dockerfile',
    context: '.',
    insecure: false,
    buildArgs: [],
    destinations: [],
    push: true,
  };
  const args = command.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`kaniko argument ${a} has no value`);
      return v;
    };
    switch (a) {
      case '--dockerfile':
        build.dockerfile = value();
        break;
      case '--context':
        build.context = value();
        break;
      case '--build-arg':
        build.buildArgs.push(value());
        break;
      case '--destination':
        build.destinations.push(value());
        break;
      case '--no-push':
        build.push = false;
        break;
      case '--insecure':
      case '--skip-tls-verify':
        build.insecure = true;
        break;
      default:
        throw new Error(`kaniko argument ${a} has no BuildKit equivalent`);
    }
  }
  return build;
}

export function kanikoToBuildkit(command: string[]): string[] {
  const b = parseKanikoArgs(command);
  const output = b.destinations.length
    ? [
        `type=image`,
        `"name=${b.destinations.join(',')}"`,
        `push=${b.push}`,
        ...(b.insecure && b.push ? ['registry.insecure=true'] : []),
      ].join(',')
    : 'type=cacheonly';
  const args = [
    'build',
    '--frontend',
    'dockerfile.v0',
    '--local',
    `context=${b.context}`,
    '--local',
    `dockerfile=${posix.dirname(b.dockerfile)}`,
    '--opt',
    `filename=${posix.basename(b.dockerfile)}`,
    ...b.buildArgs.flatMap((a) => (a.includes('=') ? ['--opt', `build-arg:${a}`] : [`build-arg-from-env:${a}`])),
    '--output',
    output,
  ];
  return ['/bin/sh', '-c', RESOLVE_ENV_ARGS, 'buildkit', ...args];
}
