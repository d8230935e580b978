#!/usr/bin/env bash
# The lab cluster as the target of kubectl and helm steps: the `kubectl-config` ConfigMap
# (the `cluster` that kubectl and helm steps mount at /root/.kube by default, as in
# wharf-cmd) in the lab's namespace, holding a kubeconfig that reaches the API server
# from the pod network (the bridge's address, which the API server's certificate
# carries) as the user `lab-deployer`, who may edit the namespace `lab-deploy` only;
# and the `lab-registry` docker-config Secret for docker steps' `secret` (the lab
# registry asks for no credentials: its config has none).
#
#   deploy-target.sh up       create or update the namespace, the user, its role and the ConfigMap
#   deploy-target.sh status   KEY=value lines; exit 1 when the ConfigMap is missing
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
LAB_DIR="${LAB_DIR:-$REPO/.lab}"
PKI="$LAB_DIR/kube/pki"
API_PORT="${LAB_KUBE_API_PORT:-16443}"
NAMESPACE="${LAB_NAMESPACE:-wharf}"
TARGET_NAMESPACE="${LAB_DEPLOY_NAMESPACE:-lab-deploy}"
CONFIGMAP="kubectl-config"
REGISTRY_SECRET="lab-registry"
USER_NAME="lab-deployer"

LAB_COMPONENT=deploy-target
# shellcheck source=lib.sh
. "$HERE/lib.sh"
GATEWAY="$(lab_gateway)"

api() { # curl args...
  curl -sf --max-time 20 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$@"
}

# Server-side apply of one object (YAML on stdin) at its path.
apply() { # path
  api -X PATCH -H 'Content-Type: application/apply-patch+yaml' --data-binary @- \
    "https://127.0.0.1:$API_PORT$1?fieldManager=wharf-temporal-lab&force=true" >/dev/null
}

user_cert() {
  local key="$PKI/$USER_NAME.key" crt="$PKI/$USER_NAME.crt"
  [ -f "$crt" ] && return 0
  openssl genrsa -out "$key" 2048 2>/dev/null
  openssl req -new -key "$key" -subj "/CN=$USER_NAME" -out "$PKI/$USER_NAME.csr" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' > "$PKI/$USER_NAME.ext"
  openssl x509 -req -in "$PKI/$USER_NAME.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI/$USER_NAME.ext" -out "$crt" 2>/dev/null
  rm -f "$PKI/$USER_NAME.csr" "$PKI/$USER_NAME.ext"
}

b64() { base64 -w0 < "$1"; }

# The kubeconfig, indented as a block scalar of the ConfigMap's `config` key.
kubeconfig_block() {
  sed 's/^/    /' <<EOF
apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster:
    server: https://$GATEWAY:$API_PORT
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: $USER_NAME
  user:
    client-certificate-data: $(b64 "$PKI/$USER_NAME.crt")
    client-key-data: $(b64 "$PKI/$USER_NAME.key")
contexts:
- name: lab
  context: {cluster: lab, user: $USER_NAME, namespace: $TARGET_NAMESPACE}
current-context: lab
EOF
}

up() {
  [ -f "$PKI/ca.key" ] || die "the lab's Kubernetes is not set up (start kube.sh first)"
  user_cert
  apply "/api/v1/namespaces/$TARGET_NAMESPACE" <<EOF || die "cannot create the namespace $TARGET_NAMESPACE"
apiVersion: v1
kind: Namespace
metadata: {name: $TARGET_NAMESPACE}
EOF
  apply "/apis/rbac.authorization.k8s.io/v1/namespaces/$TARGET_NAMESPACE/rolebindings/$USER_NAME" <<EOF || die "cannot bind $USER_NAME's role"
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: $USER_NAME, namespace: $TARGET_NAMESPACE}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: $USER_NAME}]
EOF
  { printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s, namespace: %s}\ndata:\n  config: |\n' "$CONFIGMAP" "$NAMESPACE"
    kubeconfig_block; } | apply "/api/v1/namespaces/$NAMESPACE/configmaps/$CONFIGMAP" \
    || die "cannot write the ConfigMap $CONFIGMAP"
  apply "/api/v1/namespaces/$NAMESPACE/secrets/$REGISTRY_SECRET" <<EOF || die "cannot write the Secret $REGISTRY_SECRET"
apiVersion: v1
kind: Secret
metadata: {name: $REGISTRY_SECRET, namespace: $NAMESPACE}
type: kubernetes.io/dockerconfigjson
stringData: {.dockerconfigjson: '{"auths": {}}'}
EOF
  log "steps reach the cluster at https://$GATEWAY:$API_PORT as $USER_NAME (ConfigMap $NAMESPACE/$CONFIGMAP, namespace $TARGET_NAMESPACE)"
}

status() {
  api "https://127.0.0.1:$API_PORT/api/v1/namespaces/$NAMESPACE/configmaps/$CONFIGMAP" >/dev/null || return 1
  echo "LAB_DEPLOY_CONFIGMAP=$CONFIGMAP"
  echo "LAB_DEPLOY_NAMESPACE=$TARGET_NAMESPACE"
  api "https://127.0.0.1:$API_PORT/api/v1/namespaces/$NAMESPACE/secrets/$REGISTRY_SECRET" >/dev/null \
    && echo "LAB_REGISTRY_SECRET=$REGISTRY_SECRET"
}

case "${1:-}" in
  up) up ;;
  status) status ;;
  *) echo "usage: $0 up|status" >&2; exit 2 ;;
esac
