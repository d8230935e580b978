// The settings of the worker and the CLI, one row each: where a value comes from (a flag,
// an environment variable, Temporal's TOML profile file) and its default. The README's
// settings table is rendered from these rows (a unit test keeps the two equal), and the
// connection flags every command shares are made from them.

export type SettingScope = 'worker' | 'cli' | 'both';

export interface Setting {
  /** The command-line flag, without dashes; null when there is none. */
  flag: string | null;
  /** The value the flag takes in help and in the README, e.g. HOST:PORT; null for a switch. */
  value: string | null;
  /** The environment variable; null when there is none. */
  env: string | null;
  /**
   * Its key in a file: for Temporal's settings, in a profile of Temporal's TOML
   * configuration file; for the step-pod settings, in the worker settings file (--config).
   */
  file: string | null;
  /** The default, as a reader should understand it. */
  default: string;
  scope: SettingScope;
  summary: string;
  /** True for the connection settings every command that talks to Temporal or Kubernetes takes. */
  connection?: boolean;
}

export const SETTINGS: readonly Setting[] = [
  // Temporal, as Temporal's own tools read it (environment configuration).
  {
    flag: 'temporal-address',
    value: 'HOST:PORT',
    env: 'TEMPORAL_ADDRESS',
    file: 'address',
    default: 'the local lab',
    scope: 'both',
    connection: true,
    summary: 'the Temporal frontend',
  },
  {
    flag: 'temporal-namespace',
    value: 'NAME',
    env: 'TEMPORAL_NAMESPACE',
    file: 'namespace',
    default: 'default',
    scope: 'both',
    connection: true,
    summary: 'the Temporal namespace',
  },
  {
    flag: 'profile',
    value: 'NAME',
    env: 'TEMPORAL_PROFILE',
    file: null,
    default: 'default',
    scope: 'both',
    connection: true,
    summary: 'the profile to read from the configuration file',
  },
  {
    flag: 'config-file',
    value: 'PATH',
    env: 'TEMPORAL_CONFIG_FILE',
    file: null,
    default: '~/.config/temporalio/temporal.toml',
    scope: 'both',
    connection: true,
    summary: "Temporal's TOML configuration file (profiles)",
  },
  {
    flag: 'api-key',
    value: 'KEY',
    env: 'TEMPORAL_API_KEY',
    file: 'api_key',
    default: 'none',
    scope: 'both',
    connection: true,
    summary: 'API key (Temporal Cloud), sent as `authorization: Bearer`; turns TLS on',
  },
  {
    flag: 'tls',
    value: null,
    env: 'TEMPORAL_TLS',
    file: 'tls.disabled',
    default: 'on when any TLS setting or an API key is given',
    scope: 'both',
    connection: true,
    summary: 'TLS to the Temporal server (`--no-tls`, `TEMPORAL_TLS=false` turn it off)',
  },
  {
    flag: 'tls-cert-path',
    value: 'PATH',
    env: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
    file: 'tls.client_cert_path',
    default: 'none',
    scope: 'both',
    connection: true,
    summary: 'client certificate (PEM) for mTLS; `_DATA` / `client_cert_data` take the PEM itself',
  },
  {
    flag: 'tls-key-path',
    value: 'PATH',
    env: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
    file: 'tls.client_key_path',
    default: 'none',
    scope: 'both',
    connection: true,
    summary: "the client certificate's private key (PEM); `_DATA` / `client_key_data` likewise",
  },
  {
    flag: 'tls-ca-path',
    value: 'PATH',
    env: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
    file: 'tls.server_ca_cert_path',
    default: 'the system roots',
    scope: 'both',
    connection: true,
    summary: "CA that signed the server's certificate; `_DATA` / `server_ca_cert_data` likewise",
  },
  {
    flag: 'tls-server-name',
    value: 'NAME',
    env: 'TEMPORAL_TLS_SERVER_NAME',
    file: 'tls.server_name',
    default: 'the address host',
    scope: 'both',
    connection: true,
    summary: "name to verify the server's certificate against",
  },
  {
    flag: null,
    value: null,
    env: 'TEMPORAL_GRPC_META_<NAME>',
    file: 'grpc_meta.<name>',
    default: 'none',
    scope: 'both',
    summary: 'extra gRPC metadata (headers) sent with every call',
  },
  {
    flag: null,
    value: null,
    env: 'TEMPORAL_UI_URL',
    file: null,
    default: "the local lab's, else none",
    scope: 'cli',
    summary: 'base URL of the Temporal Web UI, for links',
  },
  {
    flag: 'codec-key-file',
    value: 'PATH',
    env: 'WHARF_TEMPORAL_CODEC_KEY_FILE',
    file: null,
    default: 'none (payloads not encrypted)',
    scope: 'both',
    connection: true,
    summary: 'keys of the payload codec, one `<id> <base64 of 32 bytes>` a line; the last encrypts',
  },
  {
    flag: null,
    value: null,
    env: 'WHARF_TEMPORAL_CODEC_KEYS',
    file: null,
    default: 'none',
    scope: 'both',
    summary: 'the codec keys inline, `id:base64,...` (when no key file is given)',
  },
  {
    flag: 'task-queue',
    value: 'NAME',
    env: 'WHARF_TEMPORAL_TASK_QUEUE',
    file: null,
    default: 'wharf-builds',
    scope: 'both',
    connection: true,
    summary: 'the task queue builds run on',
  },
  // Kubernetes.
  {
    flag: 'kubeconfig',
    value: 'PATH',
    env: 'KUBECONFIG',
    file: null,
    default: 'in a pod: its service account; else ~/.kube/config',
    scope: 'both',
    connection: true,
    summary: 'the kubeconfig file',
  },
  {
    flag: 'context',
    value: 'NAME',
    env: 'WHARF_TEMPORAL_KUBE_CONTEXT',
    file: null,
    default: "the kubeconfig's current context",
    scope: 'both',
    connection: true,
    summary: 'the kubeconfig context',
  },
  {
    flag: 'kube-namespace',
    value: 'NAME',
    env: 'WHARF_TEMPORAL_NAMESPACE',
    file: null,
    default: 'wharf',
    scope: 'both',
    connection: true,
    summary: 'the namespace step pods run in',
  },
  // The build store (src/store/store-settings.ts reads these).
  {
    flag: 'store',
    value: 'URL',
    env: 'WHARF_TEMPORAL_STORE_URL',
    file: null,
    default: 'the folder WHARF_TEMPORAL_LOG_DIR',
    scope: 'both',
    summary:
      'the build store: `postgres://user:password@host:port/database` (shared by workers and CLIs), or `file:///path`',
  },
  {
    flag: null,
    value: null,
    env: 'WHARF_TEMPORAL_LOG_DIR',
    file: null,
    default: '~/.local/state/wharf-temporal/logs',
    scope: 'both',
    summary: 'the folder store: step logs and build records',
  },
  {
    flag: null,
    value: null,
    env: 'WHARF_TEMPORAL_STEP_LOG_LIMIT',
    file: null,
    default: '67108864 (64 MiB)',
    scope: 'worker',
    summary: 'bytes of output stored per step; the log says when it is cut',
  },
  {
    flag: null,
    value: null,
    env: 'WHARF_TEMPORAL_STORE_BUFFER',
    file: null,
    default: '16777216 (16 MiB)',
    scope: 'worker',
    summary: 'bytes per step held in memory while the store is away; then reading the output pauses',
  },
  {
    flag: null,
    value: null,
    env: 'WHARF_TEMPORAL_STORE_RETENTION_DAYS',
    file: null,
    default: '30',
    scope: 'worker',
    summary: 'days finished builds (record and logs) are kept; 0 keeps them',
  },
  {
    flag: 'deployment',
    value: 'ID',
    env: 'WHARF_TEMPORAL_DEPLOYMENT',
    file: null,
    default: 'derived from the Temporal address, namespace and task queue',
    scope: 'both',
    summary:
      "this deployment's identity, labelled on its pods and Secrets; its sweeper deletes only those (`run` reads the variable)",
  },
  // The worker.
  {
    flag: 'max-concurrent-steps',
    value: 'N',
    env: 'WHARF_TEMPORAL_MAX_STEPS',
    file: null,
    default: '50',
    scope: 'worker',
    summary: 'steps (pods) one worker drives at once',
  },
  {
    flag: 'max-cached-workflows',
    value: 'N',
    env: 'WHARF_TEMPORAL_MAX_CACHED_WORKFLOWS',
    file: null,
    default: '500',
    scope: 'worker',
    summary: 'workflows kept in memory between their tasks',
  },
  {
    flag: 'max-workflow-tasks',
    value: 'N',
    env: 'WHARF_TEMPORAL_MAX_WORKFLOW_TASKS',
    file: null,
    default: '10',
    scope: 'worker',
    summary: 'workflow tasks one worker holds at once',
  },
  {
    flag: 'shutdown-grace',
    value: 'SECONDS',
    env: 'WHARF_TEMPORAL_SHUTDOWN_GRACE',
    file: null,
    default: '30',
    scope: 'worker',
    summary: 'how long running steps get to finish on SIGTERM',
  },
  // The step policy: what step pods may use beyond their build's own Secret.
  {
    flag: 'allow-service-account',
    value: 'NAME',
    env: 'WHARF_TEMPORAL_ALLOWED_SERVICE_ACCOUNTS',
    file: null,
    default: 'none (the `default` account, no token)',
    scope: 'worker',
    summary: 'a service account steps may run as, token mounted (repeatable, `NAME*` a prefix; the variable takes a,b)',
  },
  {
    flag: 'allow-secret',
    value: 'NAME',
    env: 'WHARF_TEMPORAL_ALLOWED_SECRETS',
    file: null,
    default: "none (the build's own)",
    scope: 'worker',
    summary: 'a Secret step pods may read (repeatable, `NAME*` a prefix; the variable takes a,b)',
  },
  {
    flag: null,
    value: null,
    env: 'WHARF_TEMPORAL_SECRET_VARS',
    file: null,
    default: 'none',
    scope: 'cli',
    summary: 'variables whose values are secret, besides password inputs and REG_PASS (a,b)',
  },
  // Step pods: every pod the worker creates.
  {
    flag: 'config',
    value: 'FILE',
    env: 'WHARF_TEMPORAL_WORKER_CONFIG',
    file: null,
    default: 'none',
    scope: 'worker',
    summary: 'the worker settings file (YAML) for step pods',
  },
  {
    flag: 'docker-builder',
    value: 'NAME',
    env: 'WHARF_TEMPORAL_DOCKER_BUILDER',
    file: 'dockerBuilder',
    default: 'kaniko',
    scope: 'worker',
    summary: '`kaniko` or `buildkit`, for docker steps',
  },
  {
    flag: 'step-image',
    value: 'KEY=IMAGE',
    env: 'WHARF_TEMPORAL_STEP_IMAGES',
    file: 'images.<key>',
    default: "wharf-cmd's images",
    scope: 'worker',
    summary: 'the image of a step type (repeatable; the variable takes K=I,...)',
  },
  {
    flag: 'node-selector',
    value: 'KEY=VALUE',
    env: 'WHARF_TEMPORAL_NODE_SELECTOR',
    file: 'pod.nodeSelector',
    default: 'none',
    scope: 'worker',
    summary: 'node selector of step pods',
  },
  {
    flag: 'toleration',
    value: 'SPEC',
    env: 'WHARF_TEMPORAL_TOLERATIONS',
    file: 'pod.tolerations',
    default: 'none',
    scope: 'worker',
    summary: 'tolerations of step pods (key=value:Effect, key:Effect or key)',
  },
  {
    flag: 'image-pull-secret',
    value: 'NAME',
    env: 'WHARF_TEMPORAL_IMAGE_PULL_SECRETS',
    file: 'pod.imagePullSecrets',
    default: 'none',
    scope: 'worker',
    summary: 'image pull secrets of step pods',
  },
  {
    flag: 'pod-label',
    value: 'KEY=VALUE',
    env: 'WHARF_TEMPORAL_POD_LABELS',
    file: 'pod.labels',
    default: 'none',
    scope: 'worker',
    summary: 'extra labels of step pods',
  },
  {
    flag: 'pod-annotation',
    value: 'KEY=VALUE',
    env: 'WHARF_TEMPORAL_POD_ANNOTATIONS',
    file: 'pod.annotations',
    default: 'none',
    scope: 'worker',
    summary: 'extra annotations of step pods',
  },
  // The worker's operations.
  {
    flag: 'log-format',
    value: 'FORMAT',
    env: 'WHARF_TEMPORAL_LOG_FORMAT',
    file: null,
    default: 'text',
    scope: 'worker',
    summary: "the worker's own log: `text` lines, or `json`, one object a line",
  },
  {
    flag: 'http-port',
    value: 'PORT',
    env: 'WHARF_TEMPORAL_HTTP_PORT',
    file: null,
    default: 'none (off)',
    scope: 'worker',
    summary: 'serves /metrics (Prometheus), /livez and /readyz',
  },
  {
    flag: 'http-host',
    value: 'HOST',
    env: 'WHARF_TEMPORAL_HTTP_HOST',
    file: null,
    default: '0.0.0.0',
    scope: 'worker',
    summary: 'the address the HTTP port listens on',
  },
];

/** The settings' row in the README's table, cell by cell. */
export function settingRow(setting: Setting): string {
  const code = (text: string | null): string => (text === null ? '' : `\`${text}\``);
  const flag = setting.flag === null ? '' : code(`--${setting.flag}${setting.value ? ` ${setting.value}` : ''}`);
  return `| ${flag} | ${code(setting.env)} | ${code(setting.file)} | ${setting.default} | ${setting.scope} | ${setting.summary} |`;
}

export function settingsTable(): string {
  return [
    '| flag | environment | config file | default | used by | what |',
    '|---|---|---|---|---|---|',
    ...SETTINGS.map(settingRow),
  ].join('\n');
}

/** The setting with this flag (without dashes); throws for a name not in the table. */
export function settingByFlag(flag: string): Setting {
  const found = SETTINGS.find((s) => s.flag === flag);
  if (!found) throw new Error(`no setting with flag --${flag}`);
  return found;
}

/** How an error names a setting: its flag and its environment variable. */
export function nameOf(setting: Setting): string {
  return [setting.flag && `--${setting.flag}`, setting.env].filter(Boolean).join(' / ');
}
