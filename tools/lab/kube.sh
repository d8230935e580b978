#!/usr/bin/env bash
# The Kubernetes half of the lab: etcd, kube-apiserver (TLS, client-certificate auth,
# RBAC), kube-controller-manager and kube-scheduler, built from their Go modules, plus
# kwok simulating the nodes and lab-kubelet serving exec and logs for them.
#
#   kube.sh build    build (or find in the cache) the binaries
#   kube.sh up       start everything; harmless when already up
#   kube.sh down     stop everything, leaving no process behind (--purge: delete state)
#   kube.sh status   KEY=value lines; exit 1 when down
#
# Failure simulation, by image name (documented in tools/lab/README.md):
#   lab.invalid/...   the image cannot be pulled: ErrImagePull, then ImagePullBackOff
#   lab.exit/...      the container starts, then terminates with exit code 1
# A pod nothing can schedule (impossible nodeSelector or resources) stays Pending with
# PodScheduled=False, reason Unschedulable, as on any cluster.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
MODULE="$HERE/kube"
LAB_DIR="${LAB_DIR:-$REPO/.lab}"
STATE="$LAB_DIR/kube"
PKI="$STATE/pki"
LOGS="$STATE/logs"
RUN="$STATE/run"
K8S_VERSION="v1.36.3"

ETCD_PORT="${LAB_ETCD_PORT:-12379}"
ETCD_PEER_PORT="${LAB_ETCD_PEER_PORT:-12380}"
API_PORT="${LAB_KUBE_API_PORT:-16443}"
# All addresses by default: pods on the real node reach the API server through their bridge.
API_BIND="${LAB_KUBE_API_BIND:-0.0.0.0}"
CM_PORT="${LAB_CONTROLLER_MANAGER_PORT:-16457}"
SCHED_PORT="${LAB_SCHEDULER_PORT:-16459}"
KWOK_PORT="${LAB_KWOK_PORT:-16447}"
KUBELET_PORT="${LAB_KUBELET_PORT:-16250}"
NAMESPACE="${LAB_NAMESPACE:-wharf}"
READY_DELAY_MS="${LAB_READY_DELAY_MS:-300}"
NODES="${LAB_NODES:-lab-node-0,lab-node-1}"

COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok lab-kubelet)

LAB_COMPONENT=kube
# shellcheck source=lib.sh
. "$HERE/lib.sh"

# Two caches: the Kubernetes components change with go.mod (minutes to build), the
# lab-kubelet with its own sources (seconds), so a change to it rebuilds only it.
cache_dir() { # name files...
  local name=$1 hash; shift
  hash="$(cd "$MODULE" && cat go.mod go.sum $(find "$@" -type f -name '*.go' | sort) | sha256sum | cut -c1-16)"
  echo "${XDG_CACHE_HOME:-$HOME/.cache}/wharf-temporal/lab/$name-$K8S_VERSION-$hash"
}
BIN="$(cache_dir kube cmd/etcd)/bin"
KUBELET_BIN="$(cache_dir lab-kubelet cmd/lab-kubelet)/bin"

build_into() { # dir what packages...
  local dir=$1 what=$2; shift 2
  if [ -f "$dir/.built" ]; then return 0; fi
  # One build at a time per cache: a second lab (another clone) waits for the first's.
  mkdir -p "$(dirname "$dir")"
  exec 9>"$(dirname "$dir")/build.lock"
  flock 9
  if [ -f "$dir/.built" ]; then exec 9>&-; return 0; fi
  command -v go >/dev/null || die "Go is needed to build the lab (https://go.dev/dl or apt-get install golang)"
  log "building $what"
  local start=$SECONDS tmp="$dir.tmp.$$" v=component-base/version
  rm -rf "$tmp"; mkdir -p "$tmp"
  (cd "$MODULE" && go build -trimpath -o "$tmp/" \
    -ldflags "-s -w -X k8s.io/$v.gitVersion=$K8S_VERSION -X k8s.io/$v.gitMajor=1 -X k8s.io/$v.gitMinor=36 -X k8s.io/$v.gitTreeState=clean" \
    "$@") || die "building the lab binaries failed"
  touch "$tmp/.built"
  rm -rf "$dir"; mv "$tmp" "$dir"
  log "built in $((SECONDS - start))s into $dir"
  exec 9>&-
}

build() {
  build_into "$BIN" "etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (a few minutes the first time)" \
    ./cmd/etcd k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler sigs.k8s.io/kwok/cmd/kwok
  build_into "$KUBELET_BIN" "lab-kubelet" ./cmd/lab-kubelet
}

# ---- certificates -------------------------------------------------------------------

cert() { # name subject [san]
  local name=$1 subject=$2 san=${3:-}
  [ -f "$PKI/$name.crt" ] && return 0
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subject" -out "$PKI/$name.csr" 2>/dev/null
  local ext="$PKI/$name.ext"
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"; [ -n "$san" ] && echo "subjectAltName=$san"; } > "$ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$ext"
}

pki() {
  mkdir -p "$PKI"
  if [ ! -f "$PKI/ca.crt" ]; then
    openssl genrsa -out "$PKI/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=wharf-temporal-lab-ca" -days 3650 -sha256 -out "$PKI/ca.crt" 2>/dev/null
  fi
  # Pods on the real node reach the API server at the pod bridge's address.
  local gateway; gateway="$(lab_gateway)"
  if [ -f "$PKI/apiserver.crt" ] && ! openssl x509 -in "$PKI/apiserver.crt" -noout -ext subjectAltName 2>/dev/null | grep -q "IP Address:$gateway\b"; then
    rm -f "$PKI/apiserver.crt" "$PKI/apiserver.key"
  fi
  cert apiserver "/CN=kube-apiserver" "IP:127.0.0.1,IP:$gateway,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
  cert admin "/O=system:masters/CN=lab-admin"
  cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
  cert kubelet "/CN=lab-kubelet" "IP:127.0.0.1,DNS:localhost"
  if [ ! -f "$PKI/sa.key" ]; then
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  fi
  local kubeconfig="$STATE/kubeconfig"
  cat > "$kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $PKI/ca.crt
users:
- name: lab-admin
  user:
    client-certificate: $PKI/admin.crt
    client-key: $PKI/admin.key
contexts:
- name: lab
  context: {cluster: lab, user: lab-admin, namespace: $NAMESPACE}
current-context: lab
EOF
}

# ---- processes ----------------------------------------------------------------------

pid_of() { local f="$RUN/$1.pid"; [ -f "$f" ] && cat "$f"; }
alive() { local pid; pid="$(pid_of "$1")" && [ -n "$pid" ] && process_alive "$pid"; }


start() { # name args...
  local name=$1; shift
  if alive "$name"; then return 0; fi
  mkdir -p "$LOGS" "$RUN"
  setsid nohup "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! > "$RUN/$name.pid"
}

fail_component() { # name why
  log "$1 failed to start: $2"
  log "last lines of $LOGS/$1.log:"
  tail -n 30 "$LOGS/$1.log" >&2 2>/dev/null || true
  stop_all
  exit 1
}

wait_for() { # name seconds command...
  local name=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    alive "$name" || fail_component "$name" "the process exited"
    [ $SECONDS -lt $deadline ] || fail_component "$name" "not ready after ${seconds}s"
    sleep 0.2
  done
}

api() { # path
  curl -sf --max-time 5 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://127.0.0.1:$API_PORT$1"
}

stop_all() {
  local name pid
  for name in lab-kubelet kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
    pid="$(pid_of "$name" || true)"
    [ -n "$pid" ] && kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for _ in $(seq 1 50); do
    local any=0
    for name in "${COMPONENTS[@]}"; do alive "$name" && any=1; done
    [ $any = 0 ] && break
    sleep 0.1
  done
  for name in "${COMPONENTS[@]}"; do
    pid="$(pid_of "$name" || true)"
    [ -n "$pid" ] && kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$RUN/$name.pid"
  done
  # Processes of simulated pods live in sandboxes (their own sessions): end those too.
  pkill -KILL -f '^sleep 2147483647$' 2>/dev/null || true
}

# ---- commands -----------------------------------------------------------------------

all_alive() { local name; for name in "${COMPONENTS[@]}"; do alive "$name" || return 1; done; }

up() {
  if all_alive && api /readyz >/dev/null; then log "already up"; return 0; fi
  # A component that died is started again; those still running are left as they are.
  alive kube-apiserver || stop_all
  build
  pki
  alive etcd || need_port "$ETCD_PORT" LAB_ETCD_PORT etcd
  alive etcd || need_port "$ETCD_PEER_PORT" LAB_ETCD_PEER_PORT etcd
  alive kube-apiserver || need_port "$API_PORT" LAB_KUBE_API_PORT kube-apiserver
  alive kube-controller-manager || need_port "$CM_PORT" LAB_CONTROLLER_MANAGER_PORT kube-controller-manager
  alive kube-scheduler || need_port "$SCHED_PORT" LAB_SCHEDULER_PORT kube-scheduler
  alive kwok || need_port "$KWOK_PORT" LAB_KWOK_PORT kwok
  alive lab-kubelet || need_port "$KUBELET_PORT" LAB_KUBELET_PORT lab-kubelet
  local begin=$SECONDS

  start etcd "$BIN/etcd" --name lab --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "lab=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level warn
  wait_for etcd 30 curl -sf "http://127.0.0.1:$ETCD_PORT/health"

  start kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address "$API_BIND" --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" --authorization-mode RBAC \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range 10.96.0.0/16 \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$PKI/ca.crt" --kubelet-preferred-address-types InternalIP \
    --allow-privileged=true --profiling=false
  wait_for kube-apiserver 90 api /readyz

  local kubeconfig="$STATE/kubeconfig"
  start kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig "$kubeconfig" \
    --authentication-kubeconfig "$kubeconfig" --authorization-kubeconfig "$kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$CM_PORT" --leader-elect=false \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --controllers '*,-nodeipam,-service-lb-controller,-route,-cloud-node-lifecycle'
  start kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$kubeconfig" \
    --authentication-kubeconfig "$kubeconfig" --authorization-kubeconfig "$kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --leader-elect=false

  sed "s/__READY_DELAY_MS__/$READY_DELAY_MS/g" "$MODULE/kwok-stages.yaml" > "$STATE/kwok.yaml"
  start kwok "$BIN/kwok" --kubeconfig "$kubeconfig" --config "$STATE/kwok.yaml" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --node-ip 127.0.0.1 --node-port "$KUBELET_PORT" --server-address "127.0.0.1:$KWOK_PORT"
  start lab-kubelet "$KUBELET_BIN/lab-kubelet" --address "127.0.0.1:$KUBELET_PORT" --kubeconfig "$kubeconfig" \
    --tls-cert "$PKI/kubelet.crt" --tls-key "$PKI/kubelet.key" --state-dir "$STATE" \
    --nodes "$NODES" --ensure-namespace "$NAMESPACE"

  wait_for lab-kubelet 30 curl -sf --cacert "$PKI/ca.crt" "https://127.0.0.1:$KUBELET_PORT/healthz"
  wait_for kwok 60 nodes_ready
  wait_for kube-controller-manager 60 api "/api/v1/namespaces/$NAMESPACE/serviceaccounts/default"
  wait_for kube-scheduler 30 curl -sfk "https://127.0.0.1:$SCHED_PORT/healthz"
  log "up in $((SECONDS - begin))s: $(status | tr '\n' ' ')"
}

nodes_ready() {
  api /api/v1/nodes | python3 -c '
import json, sys
# The simulated nodes only: the real node (node.sh) is waited for on its own.
nodes = [n for n in json.load(sys.stdin)["items"] if n["metadata"].get("annotations", {}).get("kwok.x-k8s.io/node") == "fake"]
ok = [n for n in nodes if any(c["type"] == "Ready" and c["status"] == "True" for c in n.get("status", {}).get("conditions", []))]
sys.exit(0 if nodes and len(ok) == len(nodes) else 1)'
}

status() {
  echo "KUBECONFIG=$STATE/kubeconfig"
  echo "KUBE_API_URL=https://127.0.0.1:$API_PORT"
  echo "KUBE_NAMESPACE=$NAMESPACE"
  alive kube-apiserver && api /readyz >/dev/null
}

case "${1:-}" in
  build) build ;;
  up) up ;;
  down)
    stop_all
    [ "${2:-}" = "--purge" ] && rm -rf "$STATE"
    log "down" ;;
  status) status ;;
  *) echo "usage: $0 build|up|down [--purge]|status" >&2; exit 2 ;;
esac
