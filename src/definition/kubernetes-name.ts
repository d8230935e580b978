// Turns a stage or step name into a DNS-1123 label fragment, or null when nothing usable
// remains. Names may use letters, digits, '-', '_', '.' and spaces, and start with a
// letter or digit; everything but letters, digits and '-' becomes '-'. Also the checks of
// names that go to Kubernetes as they are.
import { KUBERNETES_MAX_LABEL_LENGTH, KUBERNETES_MAX_SUBDOMAIN_LENGTH } from '../limits/definition-limits.ts';

export function kubernetesName(name: string): string | null {
  if (!/^[A-Za-z0-9][A-Za-z0-9_. -]*$/.test(name)) return null;
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return label || null;
}

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';

/** A DNS-1123 subdomain, as Kubernetes wants Secret, ConfigMap and service account names. */
export function isDnsSubdomain(name: string): boolean {
  return name.length <= KUBERNETES_MAX_SUBDOMAIN_LENGTH && new RegExp(`^${LABEL}(\\.${LABEL})*$`).test(name);
}

/** A DNS-1123 label, as Kubernetes wants namespace names. */
export function isDnsLabel(name: string): boolean {
  return name.length <= KUBERNETES_MAX_LABEL_LENGTH && new RegExp(`^${LABEL}$`).test(name);
}
