// The limits a build definition is checked against when it is validated, so that what
// `validate` accepts can run: Temporal's defaults for the server the build runs on,
// Kubernetes' name rules, and the YAML reader's own bounds against hostile input.

/** Temporal: the longest workflow id, in bytes (`limit.maxIDLength`). */
export const TEMPORAL_MAX_ID_BYTES = 1000;
/** Temporal: the most child workflows a workflow may have pending (`limit.numPendingChildExecutions.error`). */
export const TEMPORAL_MAX_PENDING_CHILDREN = 2000;
/** Temporal: the largest payload, e.g. a workflow's input, in bytes (`limit.blobSize.error`, 2 MiB). */
export const TEMPORAL_MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;
/** Temporal warns from this payload size on (`limit.blobSize.warn`, 512 KiB); so does `validate`. */
export const TEMPORAL_WARN_PAYLOAD_BYTES = 512 * 1024;

/** The longest build id the CLI makes (a 30-character repository, a timestamp and a suffix). */
export const MAX_BUILD_ID_LENGTH = 51;

/** Kubernetes: a DNS-1123 subdomain (Secret and ConfigMap names) is at most this long. */
export const KUBERNETES_MAX_SUBDOMAIN_LENGTH = 253;
/** Kubernetes: a DNS-1123 label (pod names, label values) is at most this long. */
export const KUBERNETES_MAX_LABEL_LENGTH = 63;

/** YAML: the most nodes a document may stand for with every alias expanded. */
export const YAML_MAX_EXPANDED_NODES = 50_000;
/** YAML: the deepest nesting of maps and lists. */
export const YAML_MAX_DEPTH = 64;
