// What a step's pod may use of the cluster: which service account (and whether its token is
// mounted) and which Secrets. A definition names these freely (`serviceAccount`,
// `secretName`, REG_SECRET, ...), so the worker checks every pod against its own policy
// before creating it: by default a step gets the build's own Secret and the `default`
// service account without its token, nothing more.
import type { V1Pod } from '@kubernetes/client-node';

export interface PodPolicy {
  /** Service accounts steps may run as (their token mounted): names, or prefixes ending in `*`. */
  serviceAccounts: string[];
  /** Secrets steps may read, besides their build's own: names, or prefixes ending in `*`. */
  secrets: string[];
}

export const DEFAULT_POD_POLICY: PodPolicy = { serviceAccounts: [], secrets: [] };

export interface PolicyViolation {
  /** The step field (or built-in variable) the refused value comes from. */
  field: string;
  message: string;
}

/** Where a Secret a pod refers to comes from in the definition, by how the pod uses it. */
const SECRET_VOLUME_FIELDS: Record<string, string> = {
  'docker-secrets': 'secret (or REG_SECRET)',
  'helm-registry': 'secret (or HELM_REG_SECRET)',
  'helm-secrets': 'secret (or HELM_REG_SECRET)',
};
const SECRET_ENV_FIELDS: Record<string, string> = {
  NUGET_TOKEN: "nuget-package's API key (Secret wharf-nuget-api-token)",
};

export function allowedBy(patterns: readonly string[], name: string): boolean {
  return patterns.some((p) => p === '*' || p === name || (p.endsWith('*') && name.startsWith(p.slice(0, -1))));
}

/** Everything in the pod the policy does not allow; `ownSecret` is the build's own Secret. */
export function podPolicyViolations(pod: V1Pod, policy: PodPolicy, ownSecret: string | null): PolicyViolation[] {
  const found: PolicyViolation[] = [];
  const spec = pod.spec;
  if (!spec) return found;
  const account = spec.serviceAccountName ?? 'default';
  const accountAllowed = allowedBy(policy.serviceAccounts, account);
  if (account !== 'default' && !accountAllowed) {
    found.push({
      field: 'serviceAccount',
      message: `service account '${account}' is not allowed by this worker (allowed: ${list(policy.serviceAccounts)}; worker --allow-service-account)`,
    });
  } else if (spec.automountServiceAccountToken === true && !accountAllowed) {
    found.push({
      field: 'serviceAccount',
      message: `the token of service account '${account}' may not be mounted (allowed: ${list(policy.serviceAccounts)}; worker --allow-service-account)`,
    });
  }
  const secret = (name: string | undefined, field: string): void => {
    if (!name || name === ownSecret || allowedBy(policy.secrets, name)) return;
    const mine = name.startsWith('wharf-') && name.endsWith('-inputs') ? ' (the Secret of another build)' : '';
    found.push({
      field,
      message: `Secret '${name}'${mine} is not allowed by this worker (allowed: the build's own, ${list(policy.secrets)}; worker --allow-secret)`,
    });
  };
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    for (const from of c.envFrom ?? []) secret(from.secretRef?.name, 'secretName');
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref)
        secret(
          ref.name,
          e.name.startsWith('WHARF_SECRET_')
            ? `environment variable ${e.name}`
            : (SECRET_ENV_FIELDS[e.name] ?? 'secretName (secretArgs)'),
        );
    }
  }
  for (const v of spec.volumes ?? []) {
    const field = SECRET_VOLUME_FIELDS[v.name] ?? `volume ${v.name}`;
    secret(v.secret?.secretName, field);
    for (const source of v.projected?.sources ?? []) secret(source.secret?.name, field);
  }
  for (const pull of spec.imagePullSecrets ?? []) secret(pull.name, 'imagePullSecrets');
  return found;
}

/** The pod as created: a token not asked for is not mounted unless its account is allowed. */
export function withPolicyDefaults(pod: V1Pod, policy: PodPolicy): V1Pod {
  const spec = pod.spec;
  if (
    !spec ||
    spec.automountServiceAccountToken !== undefined ||
    allowedBy(policy.serviceAccounts, spec.serviceAccountName ?? 'default')
  )
    return pod;
  return { ...pod, spec: { ...spec, automountServiceAccountToken: false } };
}

function list(patterns: readonly string[]): string {
  return patterns.length ? patterns.join(', ') : 'none';
}
