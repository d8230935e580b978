// The lab's endpoints for the lab tests, read from `bash tools/lab/lab.sh status`
// (KEY=value lines). A lab that is down is an error with the status output, never a skip.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseKeyValues } from '../../src/cli/local-lab.ts';

export const LAB_SH = fileURLToPath(new URL('../../tools/lab/lab.sh', import.meta.url));

export interface LabEnv {
  temporalAddress: string;
  temporalNamespace: string;
  temporalUiUrl: string;
  /** The Temporal CLI binary the lab's dev server runs. */
  temporalCli: string;
  kubeconfig: string;
  kubeApiUrl: string;
  kubeNamespace: string;
  /** Every line of the status, as printed. */
  values: Record<string, string>;
}

let cached: LabEnv | undefined;

/** The running lab's endpoints; throws, saying which part is down, when it is not up. */
export function labEnv(): LabEnv {
  if (cached) return cached;
  const run = spawnSync('bash', [LAB_SH, 'status'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim();
  if (run.status !== 0) {
    throw new Error(
      `the lab is down (\`bash tools/lab/lab.sh status\` exited ${run.status ?? run.signal ?? run.error?.message}): ` +
        `start it with \`npm run lab:up\`\n${output}`,
    );
  }
  const values = parseKeyValues(run.stdout);
  const need = (key: string): string => {
    const value = values[key];
    if (!value) throw new Error(`\`bash tools/lab/lab.sh status\` printed no ${key}=\n${output}`);
    return value;
  };
  cached = {
    temporalAddress: need('TEMPORAL_ADDRESS'),
    temporalNamespace: need('TEMPORAL_NAMESPACE'),
    temporalUiUrl: need('TEMPORAL_UI_URL'),
    temporalCli: need('TEMPORAL_CLI'),
    kubeconfig: need('KUBECONFIG'),
    kubeApiUrl: need('KUBE_API_URL'),
    kubeNamespace: values.KUBE_NAMESPACE ?? 'wharf',
    values,
  };
  return cached;
}
