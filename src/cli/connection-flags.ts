// Flags every command that talks to Temporal or Kubernetes shares.
import type { ParseArgsConfig } from 'node:util';
import type { ConfigOverrides } from '../config/runtime-config.ts';

export const CONNECTION_OPTIONS = {
  'temporal-address': { type: 'string' },
  'temporal-namespace': { type: 'string' },
  'task-queue': { type: 'string' },
  kubeconfig: { type: 'string' },
  'kube-namespace': { type: 'string' },
  'codec-key-file': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const CONNECTION_HELP = `connection (default: the environment, then the local lab):
  --temporal-address HOST:PORT   (TEMPORAL_ADDRESS)
  --temporal-namespace NAME      (TEMPORAL_NAMESPACE, default: default)
  --task-queue NAME              (WHARF_TEMPORAL_TASK_QUEUE, default: wharf-builds)
  --kubeconfig PATH              (KUBECONFIG)
  --kube-namespace NAME          namespace step pods run in (WHARF_TEMPORAL_NAMESPACE, default: wharf)
  --codec-key-file PATH          encrypt workflow payloads with these keys (WHARF_TEMPORAL_CODEC_KEY_FILE,
                                 or WHARF_TEMPORAL_CODEC_KEYS=id:base64,...; default: not encrypted)`;

export function connectionOverrides(values: Record<string, string | boolean | (string | boolean)[] | undefined>): ConfigOverrides {
  const str = (key: string): string | undefined => (typeof values[key] === 'string' ? (values[key] as string) : undefined);
  return {
    temporalAddress: str('temporal-address'),
    temporalNamespace: str('temporal-namespace'),
    taskQueue: str('task-queue'),
    kubeconfig: str('kubeconfig'),
    kubeNamespace: str('kube-namespace'),
    codecKeyFile: str('codec-key-file'),
  };
}
