// The worker's step policy settings: which service accounts and Secrets steps may use
// beyond their build's own Secret (see src/pod/pod-policy.ts). From flags, else the
// environment: WHARF_TEMPORAL_ALLOWED_SERVICE_ACCOUNTS and WHARF_TEMPORAL_ALLOWED_SECRETS,
// comma-separated names or prefixes ending in `*`.
import { DEFAULT_POD_POLICY, type PodPolicy } from '../pod/pod-policy.ts';

export const STEP_POLICY_ENV = {
  serviceAccounts: 'WHARF_TEMPORAL_ALLOWED_SERVICE_ACCOUNTS',
  secrets: 'WHARF_TEMPORAL_ALLOWED_SECRETS',
} as const;

export const STEP_POLICY_HELP = `step policy (default: the build's own Secret and the default service account, no token):
  --allow-service-account NAME   a service account steps may run as, token mounted (repeatable; NAME* for a prefix)
                                 (${STEP_POLICY_ENV.serviceAccounts}, comma-separated)
  --allow-secret NAME            a Secret steps may read (repeatable; NAME* for a prefix)
                                 (${STEP_POLICY_ENV.secrets}, comma-separated)`;

export const STEP_POLICY_OPTIONS = {
  'allow-service-account': { type: 'string', multiple: true },
  'allow-secret': { type: 'string', multiple: true },
} as const;

export function stepPolicyFrom(
  flags: { 'allow-service-account'?: string[]; 'allow-secret'?: string[] },
  env: NodeJS.ProcessEnv = process.env,
): PodPolicy {
  const pick = (given: string[] | undefined, name: string, fallback: string[]): string[] => {
    const values = given?.length ? given : (env[name] ?? '').split(',');
    const cleaned = values.map((v) => v.trim()).filter(Boolean);
    return cleaned.length ? cleaned : fallback;
  };
  return {
    serviceAccounts: pick(
      flags['allow-service-account'],
      STEP_POLICY_ENV.serviceAccounts,
      DEFAULT_POD_POLICY.serviceAccounts,
    ),
    secrets: pick(flags['allow-secret'], STEP_POLICY_ENV.secrets, DEFAULT_POD_POLICY.secrets),
  };
}
