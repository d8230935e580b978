// The names a step hands to Kubernetes as they are (Secrets, ConfigMaps, service accounts,
// namespaces, environment variables), checked as Kubernetes will check them. Their
// problems matter only if the step runs: a stage left out by the environment filter may
// hold names that refer to another environment's variables.
import { isDnsLabel, isDnsSubdomain } from './kubernetes-name.ts';
import type { RuleProblem } from './step-rules.ts';
import type { StepDefinition } from './types.ts';

type NameKind = 'subdomain' | 'label';

/** Per step type, the fields whose value Kubernetes takes as a name. */
const NAMES: Partial<Record<StepDefinition['type'], Record<string, [NameKind, string]>>> = {
  container: { secretName: ['subdomain', 'Secret'], serviceAccount: ['subdomain', 'service account'] },
  docker: { secret: ['subdomain', 'Secret'], secretName: ['subdomain', 'Secret'] },
  helm: { cluster: ['subdomain', 'ConfigMap'], namespace: ['label', 'namespace'], secret: ['subdomain', 'Secret'] },
  'helm-package': { secret: ['subdomain', 'Secret'] },
  kubectl: { cluster: ['subdomain', 'ConfigMap'], namespace: ['label', 'namespace'] },
};

/** Kubernetes' rule for environment variable names. */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function kubernetesNameProblems(step: StepDefinition): RuleProblem[] {
  const problems: RuleProblem[] = [];
  for (const [field, [kind, what]] of Object.entries(NAMES[step.type] ?? {})) {
    const value = step.fields[field];
    if (typeof value !== 'string' || value === '') continue;
    const ok = kind === 'label' ? isDnsLabel(value) : isDnsSubdomain(value);
    if (!ok) {
      const rule =
        kind === 'label'
          ? 'a DNS-1123 label: at most 63 of a-z, 0-9 and -'
          : "a DNS-1123 subdomain: at most 253 of a-z, 0-9, '-' and '.'";
      problems.push({
        field,
        message: `Kubernetes refuses ${JSON.stringify(value)} as a ${what} name (it must be ${rule}, starting and ending with a letter or digit)`,
      });
    }
  }
  if (step.type === 'docker' && step.fields.secretName) {
    for (const arg of Array.isArray(step.fields.secretArgs) ? step.fields.secretArgs : []) {
      const name = arg.slice(0, Math.max(arg.indexOf('='), 0));
      if (name && !ENV_NAME.test(name))
        problems.push({
          field: 'secretArgs',
          message: `Kubernetes refuses ${JSON.stringify(name)} as an environment variable name`,
        });
    }
  }
  return problems;
}
