#!/usr/bin/env bash
# The lab's real node: containerd and a kubelet registered with the lab's API server,
# running pods in runc containers on a CNI bridge of their own, pulling images from the
# lab registry (registry.sh). Everything it changes on the host is undone by `down`:
# processes, mounts, cgroups, iptables rules and chains, sysctls, the bridge.
#
#   node.sh install   install (apt) and build (or find in the cache) what the node needs
#   node.sh up        start containerd and the kubelet; wait until the node is Ready.
#                     Exit 1 naming the part that failed, with its log's last lines.
#   node.sh down      stop both and undo every host change (--purge: delete state too)
#   node.sh status    KEY=value lines; exit 1 when the node is not up
#   node.sh leftovers print what of the node is still on the host (empty when clean)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
MODULE="$HERE/kube"
LAB_DIR="${LAB_DIR:-$REPO/.lab}"
KUBE_STATE="$LAB_DIR/kube"
PKI="$KUBE_STATE/pki"
NODE="$LAB_DIR/node"
LOGS="$NODE/logs"
RUN="$NODE/run"
K8S_VERSION="v1.36.3"
CONTAINERD_VERSION="v2.3.7"
CRICTL_VERSION="v1.37.0"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/wharf-temporal/lab"

API_PORT="${LAB_KUBE_API_PORT:-16443}"
NAMESPACE="${LAB_NAMESPACE:-wharf}"
NODE_NAME="${LAB_NODE_NAME:-lab-real-node}"
NODE_KUBELET_PORT="${LAB_NODE_KUBELET_PORT:-16251}"
NODE_HEALTHZ_PORT="${LAB_NODE_HEALTHZ_PORT:-16252}"
BRIDGE="${LAB_NODE_BRIDGE:-wtlab0}"
CGROUP_ROOT="${LAB_NODE_CGROUP_ROOT:-/wharf-temporal-lab-$BRIDGE}"
SOCK="$NODE/containerd/containerd.sock"
CNI_NETWORK="wharf-lab-$BRIDGE"
PAUSE_IMAGE="lab.local/pause:3.10"
# The label and the taint that keep step pods off the real node unless they ask for it.
NODE_LABEL="wharf-temporal.lab/node=real"
NODE_TAINT="wharf-temporal.lab/real-node"


SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.ipv4.ip_forward net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables)

LAB_COMPONENT=node
# shellcheck source=lib.sh
. "$HERE/lib.sh"
POD_CIDR="$LAB_POD_CIDR"
GATEWAY="$(lab_gateway)"
PREFIX="${POD_CIDR#*/}"

kube_hash() { (cd "$MODULE" && cat go.mod go.sum | sha256sum | cut -c1-16); }
KUBELET_BIN="$CACHE/kubelet-$K8S_VERSION-$(kube_hash)/kubelet"
CONTAINERD_BIN="$CACHE/containerd-$CONTAINERD_VERSION"
CRICTL_BIN="$CACHE/crictl-$CRICTL_VERSION/crictl"
PAUSE_DIR="$CACHE/pause-$K8S_VERSION"
APT_PACKAGES=(runc containernetworking-plugins iptables iproute2 gcc libc6-dev umoci skopeo)

# ---- install ----------------------------------------------------------------------

apt_install() { # packages... (only those missing)
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} = 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "the real node needs these Debian packages: ${missing[*]} (apt-get install them as root)"
  log "installing ${missing[*]} (apt)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$NODE.apt.log" 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$NODE.apt.log" 2>&1 \
      || { tail -n 20 "$NODE.apt.log" >&2; die "apt-get install ${missing[*]} failed"; }
  fi
}

go_install() { # dir packages@version...
  local dir=$1; shift
  [ -d "$dir" ] && return 0
  command -v go >/dev/null || die "Go is needed to build the real node (apt-get install golang)"
  local tmp="$dir.tmp.$$" start=$SECONDS
  log "building $* (a few minutes the first time)"
  GOBIN="$tmp" go install -trimpath -ldflags '-s -w' "$@" || { rm -rf "$tmp"; die "go install $* failed"; }
  mv "$tmp" "$dir"
  log "built in $((SECONDS - start))s into $dir"
}

build_kubelet() {
  [ -x "$KUBELET_BIN" ] && return 0
  command -v go >/dev/null || die "Go is needed to build the kubelet (apt-get install golang)"
  local dir tmp start=$SECONDS v=component-base/version
  dir="$(dirname "$KUBELET_BIN")"; tmp="$dir.tmp.$$"
  log "building the kubelet $K8S_VERSION from the lab's Go module (10 minutes or more the first time)"
  mkdir -p "$tmp"
  (cd "$MODULE" && go build -trimpath -o "$tmp/kubelet" \
    -ldflags "-s -w -X k8s.io/$v.gitVersion=$K8S_VERSION -X k8s.io/$v.gitMajor=1 -X k8s.io/$v.gitMinor=36 -X k8s.io/$v.gitTreeState=clean" \
    k8s.io/kubernetes/cmd/kubelet) || { rm -rf "$tmp"; die "building the kubelet failed"; }
  rm -rf "$dir"; mv "$tmp" "$dir"
  log "built the kubelet in $((SECONDS - start))s"
}

# The sandbox ("pause") image: the Kubernetes project's pause.c, linked statically.
build_pause() {
  [ -f "$PAUSE_DIR/pause.tar" ] && return 0
  local src tmp="$PAUSE_DIR.tmp.$$"
  src="$(cd "$MODULE" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)/build/pause/linux/pause.c"
  [ -f "$src" ] || (cd "$MODULE" && go mod download k8s.io/kubernetes)
  mkdir -p "$tmp"
  oci_new "$tmp/oci" pause
  gcc -Os -static -o "$tmp/oci/bundle/rootfs/pause" "$src" || die "compiling pause.c failed"
  oci_commit "$tmp/oci" pause --config.entrypoint /pause --config.user 65535:65535
  skopeo copy -q "oci:$tmp/oci/layout:pause" "docker-archive:$tmp/pause.tar:$PAUSE_IMAGE" || die "packing the pause image failed"
  rm -rf "$tmp/oci"
  rm -rf "$PAUSE_DIR"; mv "$tmp" "$PAUSE_DIR"
}

install() {
  mkdir -p "$NODE"
  apt_install "${APT_PACKAGES[@]}"
  go_install "$CONTAINERD_BIN" "github.com/containerd/containerd/v2/cmd/containerd@$CONTAINERD_VERSION" \
    "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2@$CONTAINERD_VERSION" \
    "github.com/containerd/containerd/v2/cmd/ctr@$CONTAINERD_VERSION"
  build_kubelet
  build_pause
}

# ---- configuration ----------------------------------------------------------------

node_cert() {
  local name=kubelet-node
  # The node's address is the bridge's (a kubelet refuses a loopback node IP).
  [ -f "$NODE/pki/$name.crt" ] && openssl x509 -in "$NODE/pki/$name.crt" -noout -ext subjectAltName 2>/dev/null | grep -q "IP Address:$GATEWAY\b" && return 0
  mkdir -p "$NODE/pki"
  openssl genrsa -out "$NODE/pki/$name.key" 2048 2>/dev/null
  openssl req -new -key "$NODE/pki/$name.key" -subj "/O=system:nodes/CN=system:node:$NODE_NAME" -out "$NODE/pki/$name.csr" 2>/dev/null
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=IP:$GATEWAY,IP:127.0.0.1,DNS:$NODE_NAME,DNS:localhost" > "$NODE/pki/$name.ext"
  openssl x509 -req -in "$NODE/pki/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$NODE/pki/$name.ext" -out "$NODE/pki/$name.crt" 2>/dev/null
  rm -f "$NODE/pki/$name.csr" "$NODE/pki/$name.ext"
}

write_configs() {
  mkdir -p "$NODE/containerd/certs.d" "$NODE/cni/net.d" "$NODE/kubelet" "$NODE/pod-logs" "$NODE/volume-plugins"
  cat > "$NODE/containerd/config.toml" <<EOF
version = 3
root = "$NODE/containerd/root"
state = "$NODE/containerd/state"
disabled_plugins = ["io.containerd.nri.v1.nri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.blockfile", "io.containerd.snapshotter.v1.erofs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = "$SOCK.debug"
[plugins."io.containerd.internal.v1.opt"]
  path = "$NODE/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
[plugins."io.containerd.cri.v1.runtime"]
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_unprivileged_ports = true
  [plugins."io.containerd.cri.v1.runtime".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        SystemdCgroup = false
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = ["/usr/lib/cni"]
    conf_dir = "$NODE/cni/net.d"
    max_conf_num = 1
[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = "$PAUSE_IMAGE"
  [plugins."io.containerd.cri.v1.images".registry]
    config_path = "$NODE/containerd/certs.d"
EOF
  cat > "$NODE/cni/net.d/10-$CNI_NETWORK.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "$CNI_NETWORK",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": { "type": "host-local", "dataDir": "$NODE/cni/ipam", "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$GATEWAY" }]],
                "routes": [{ "dst": "0.0.0.0/0" }] }
    }
  ]
}
EOF
  cat > "$NODE/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster: {server: "https://127.0.0.1:$API_PORT", certificate-authority: "$PKI/ca.crt"}
users:
- name: node
  user: {client-certificate: "$NODE/pki/kubelet-node.crt", client-key: "$NODE/pki/kubelet-node.key"}
contexts:
- name: lab
  context: {cluster: lab, user: node}
current-context: lab
EOF
  cat > "$NODE/kubelet-config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $GATEWAY
port: $NODE_KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $NODE_HEALTHZ_PORT
tlsCertFile: $NODE/pki/kubelet-node.crt
tlsPrivateKeyFile: $NODE/pki/kubelet-node.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: AlwaysAllow}
containerRuntimeEndpoint: unix://$SOCK
cgroupDriver: cgroupfs
cgroupRoot: $CGROUP_ROOT
failCgroupV1: false
failSwapOn: false
oomScoreAdj: 0
podLogsDir: $NODE/pod-logs
volumePluginDir: $NODE/volume-plugins
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
imageMinimumGCAge: 87600h
evictionHard: {memory.available: "50Mi", nodefs.available: "1%", imagefs.available: "1%"}
serializeImagePulls: false
resolvConf: /etc/resolv.conf
clusterDomain: cluster.local
maxPods: 60
protectKernelDefaults: false
registerWithTaints:
- {key: "$NODE_TAINT", value: "true", effect: NoSchedule}
EOF
  # The registry's certificate is the lab CA's: containerd trusts it for that host only.
  local reg="${LAB_REGISTRY_HOST:-$GATEWAY:${LAB_REGISTRY_PORT:-16500}}"
  mkdir -p "$NODE/containerd/certs.d/$reg"
  printf 'server = "https://%s"\n[host."https://%s"]\n  capabilities = ["pull", "resolve"]\n  ca = "%s"\n' \
    "$reg" "$reg" "$PKI/ca.crt" > "$NODE/containerd/certs.d/$reg/hosts.toml"
}

# ---- host state: recorded before the node changes it, restored by down ------------

record_host() {
  [ -f "$NODE/host-before/sysctl" ] && return 0
  mkdir -p "$NODE/host-before"
  local s
  for s in "${SYSCTLS[@]}"; do
    [ -e "/proc/sys/${s//.//}" ] && echo "$s=$(cat "/proc/sys/${s//.//}")"
  done > "$NODE/host-before/sysctl.tmp"
  iptables-save > "$NODE/host-before/iptables" 2>/dev/null || true
  ip6tables-save > "$NODE/host-before/ip6tables" 2>/dev/null || true
  mv "$NODE/host-before/sysctl.tmp" "$NODE/host-before/sysctl"
}

restore_host() {
  [ -f "$NODE/host-before/sysctl" ] || return 0
  local line
  while IFS= read -r line; do
    [ -n "$line" ] && printf '%s\n' "${line#*=}" > "/proc/sys/$(echo "${line%%=*}" | tr . /)" 2>/dev/null || true
  done < "$NODE/host-before/sysctl"
  python3 "$HERE/iptables-restore-diff.py" iptables "$NODE/host-before/iptables" || true
  python3 "$HERE/iptables-restore-diff.py" ip6tables "$NODE/host-before/ip6tables" || true
  rm -rf "$NODE/host-before"
}

network() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge || die "cannot create the bridge $BRIDGE (ip link add)"
  fi
  ip addr show dev "$BRIDGE" | grep -q "inet $GATEWAY/" || ip addr add "$GATEWAY/$PREFIX" dev "$BRIDGE" \
    || die "cannot give the bridge $BRIDGE the address $GATEWAY/$PREFIX"
  ip link set "$BRIDGE" up
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

# A part that cannot start is named with its log's last lines; the node is then taken
# down again (the rest of the lab stays up).
fail_part() { # name why
  log "$1 failed to start: $2"
  log "last lines of $LOGS/$1.log:"
  tail -n 20 "$LOGS/$1.log" >&2 2>/dev/null || true
  { echo "$1: $2"; tail -n 20 "$LOGS/$1.log" 2>/dev/null; } > "$NODE/failed"
  teardown
  exit 1
}

wait_part() { # name seconds command...
  local name=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    alive "$name" || fail_part "$name" "the process exited"
    [ $SECONDS -lt $deadline ] || fail_part "$name" "not ready after ${seconds}s"
    sleep 0.5
  done
}

api() { # curl args... path last
  curl -sf --max-time 10 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$@"
}

crictl_() { "$CRICTL_BIN" --runtime-endpoint "unix://$SOCK" --image-endpoint "unix://$SOCK" --timeout 20s "$@"; }
ctr_() { "$CONTAINERD_BIN/ctr" --address "$SOCK" --namespace k8s.io "$@"; }

node_ready() {
  api "https://127.0.0.1:$API_PORT/api/v1/nodes/$NODE_NAME" | python3 -c '
import json, sys
n = json.load(sys.stdin)
sys.exit(0 if any(c["type"] == "Ready" and c["status"] == "True" for c in n.get("status", {}).get("conditions", [])) else 1)'
}

# Lets the node's identity do what a kubelet does (the API server authorizes by RBAC).
grant_node() {
  api -X PUT -H 'Content-Type: application/json' "https://127.0.0.1:$API_PORT/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/wharf-temporal-lab-node" \
    -d "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRoleBinding\",\"metadata\":{\"name\":\"wharf-temporal-lab-node\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"system:node\"},\"subjects\":[{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"User\",\"name\":\"system:node:$NODE_NAME\"}]}" >/dev/null \
  || api -X POST -H 'Content-Type: application/json' "https://127.0.0.1:$API_PORT/apis/rbac.authorization.k8s.io/v1/clusterrolebindings" \
    -d "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRoleBinding\",\"metadata\":{\"name\":\"wharf-temporal-lab-node\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"system:node\"},\"subjects\":[{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"User\",\"name\":\"system:node:$NODE_NAME\"}]}" >/dev/null
}

# A node object left by an earlier lab with another pod CIDR cannot be given ours (the
# API server refuses to change it): it is deleted, and the kubelet registers it anew.
forget_stale_node() {
  local cidr
  cidr="$(api "https://127.0.0.1:$API_PORT/api/v1/nodes/$NODE_NAME" | python3 -c '
import json, sys
print(json.load(sys.stdin).get("spec", {}).get("podCIDR", ""))' 2>/dev/null)" || return 0
  [ -z "$cidr" ] || [ "$cidr" = "$POD_CIDR" ] && return 0
  log "the node object $NODE_NAME has the pod CIDR $cidr, not $POD_CIDR: deleting it"
  api -X DELETE "https://127.0.0.1:$API_PORT/api/v1/nodes/$NODE_NAME" >/dev/null
}

label_node() {
  api -X PATCH -H 'Content-Type: application/merge-patch+json' "https://127.0.0.1:$API_PORT/api/v1/nodes/$NODE_NAME" \
    -d "{\"metadata\":{\"labels\":{\"${NODE_LABEL%%=*}\":\"${NODE_LABEL#*=}\"}},\"spec\":{\"podCIDR\":\"$POD_CIDR\",\"podCIDRs\":[\"$POD_CIDR\"]}}" >/dev/null
}

# One real node per host: its iptables chains, sysctls and cgroups are the host's.
OWNER_FILE="${LAB_NODE_OWNER_FILE:-/run/wharf-temporal-lab/real-node.owner}"
other_owner() {
  [ -f "$OWNER_FILE" ] || return 1
  local dir pid; read -r dir pid < "$OWNER_FILE" || return 1
  [ "$dir" != "$LAB_DIR" ] && [ -n "$pid" ] && process_alive "$pid" && echo "$dir"
}

up() {
  # Up already: its bridge is put back should something on the host have taken it away.
  # Both running but the node not Ready (a late heartbeat on a busy host, an API server
  # slow to answer): wait for it rather than start a second kubelet beside the first.
  if alive containerd && alive kubelet; then
    local waited=0
    until node_ready; do
      if [ "$waited" -ge 60 ]; then
        # Left running (down stops it): what it is doing is in its log.
        echo "kubelet: running, but node $NODE_NAME has not been Ready for 60 s" > "$NODE/failed"
        log "the kubelet and containerd run, but node $NODE_NAME has not been Ready for 60 s; last lines of $LOGS/kubelet.log:"
        tail -n 20 "$LOGS/kubelet.log" >&2 2>/dev/null || true
        exit 1
      fi
      sleep 1; waited=$((waited + 1))
    done
    network; log "already up"; return 0
  fi
  rm -f "$NODE/failed"
  mkdir -p "$NODE"
  local other
  if other="$(other_owner)"; then
    echo "node: another lab on this host runs the real node ($other)" > "$NODE/failed"
    die "another lab on this host runs the real node ($other): one real node per host"
  fi
  [ "$(id -u)" = 0 ] || { echo "node: needs root (containers, mounts, iptables)" > "$NODE/failed"; die "the real node needs root"; }
  [ -f "$PKI/ca.crt" ] || die "the lab's Kubernetes is not set up (start kube.sh first)"
  install
  need_port "$NODE_KUBELET_PORT" LAB_NODE_KUBELET_PORT kubelet
  need_port "$NODE_HEALTHZ_PORT" LAB_NODE_HEALTHZ_PORT kubelet
  local begin=$SECONDS
  record_host
  network
  node_cert
  write_configs

  start containerd "$CONTAINERD_BIN/containerd" --config "$NODE/containerd/config.toml" --log-level warn
  mkdir -p "$(dirname "$OWNER_FILE")"; echo "$LAB_DIR $(pid_of containerd)" > "$OWNER_FILE"
  wait_part containerd 30 ctr_ version
  if ! ctr_ images ls -q | grep -qx "$PAUSE_IMAGE"; then
    ctr_ images import --no-unpack=false "$PAUSE_DIR/pause.tar" >>"$LOGS/containerd.log" 2>&1 || fail_part containerd "importing the pause image failed"
  fi

  make_cgroups || fail_part kubelet "cannot create the cgroup $CGROUP_ROOT"
  grant_node || fail_part kubelet "cannot grant the node its role on the API server"
  forget_stale_node || fail_part kubelet "cannot delete the stale node object $NODE_NAME"
  start kubelet "$KUBELET_BIN" --config "$NODE/kubelet-config.yaml" --kubeconfig "$NODE/kubeconfig" \
    --root-dir "$NODE/kubelet" --cert-dir "$NODE/pki" --hostname-override "$NODE_NAME" --node-ip "$GATEWAY" \
    --node-labels "$NODE_LABEL" -v 1
  wait_part kubelet 90 curl -sf "http://127.0.0.1:$NODE_HEALTHZ_PORT/healthz"
  wait_part kubelet 60 label_node
  wait_part kubelet 90 node_ready
  log "real node $NODE_NAME up in $((SECONDS - begin))s (pods on $BRIDGE $POD_CIDR, taint $NODE_TAINT, label $NODE_LABEL)"
}

# ---- down ---------------------------------------------------------------------------

stop_pid() { # name
  local pid; pid="$(pid_of "$1" || true)"
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do process_alive "$pid" || break; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$RUN/$1.pid"
}

# Shims are started by containerd in sessions of their own: found by our socket address.
shim_pids() { pgrep -f -- "containerd-shim-runc-v2 .*-address $SOCK( |\$)" || true; }

# The kubelet's cgroup root, in every hierarchy (cgroup v1) or the unified one.
make_cgroups() {
  local c
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then mkdir -p "/sys/fs/cgroup$CGROUP_ROOT"; return; fi
  for c in /sys/fs/cgroup/*/; do
    [ -L "${c%/}" ] && continue
    mkdir -p "$c${CGROUP_ROOT#/}" || return 1
    if [ -f "$c/cpuset.cpus" ]; then
      [ -s "$c${CGROUP_ROOT#/}/cpuset.cpus" ] && [ "$(cat "$c${CGROUP_ROOT#/}/cpuset.cpus")" != "" ] || cat "$c/cpuset.cpus" > "$c${CGROUP_ROOT#/}/cpuset.cpus"
      [ -n "$(cat "$c${CGROUP_ROOT#/}/cpuset.mems")" ] || cat "$c/cpuset.mems" > "$c${CGROUP_ROOT#/}/cpuset.mems"
    fi
  done
}

cgroup_dirs() { # deepest first
  local c
  for c in /sys/fs/cgroup/*/; do
    [ -d "$c${CGROUP_ROOT#/}" ] && find "$c${CGROUP_ROOT#/}" -depth -type d
  done
  [ -f /sys/fs/cgroup/cgroup.controllers ] && [ -d "/sys/fs/cgroup${CGROUP_ROOT}" ] && find "/sys/fs/cgroup${CGROUP_ROOT}" -depth -type d
  return 0
}

our_mounts() { # deepest first
  awk '{print $5}' /proc/self/mountinfo | grep -E "^($NODE|/run/containerd/io.containerd|/var/lib/kubelet)" | sort -r || true
}

# The kubelet stops the node's pods itself (the CNI plugin then takes their addresses
# and rules back); what it has not stopped in time, containerd's CRI does (crictl, when
# built), then everything left is killed.
drain() {
  alive kubelet || return 0
  local i
  api -X DELETE "https://127.0.0.1:$API_PORT/api/v1/namespaces/$NAMESPACE/pods?fieldSelector=spec.nodeName=$NODE_NAME&gracePeriodSeconds=0" >/dev/null 2>&1 || return 0
  for i in $(seq 1 40); do
    [ -z "$(ctr_ tasks ls -q 2>/dev/null)" ] && return 0
    sleep 0.5
  done
}

teardown() {
  drain
  stop_pid kubelet
  if alive containerd && [ -x "$CRICTL_BIN" ]; then
    crictl_ rmp --force --all >/dev/null 2>&1 || true
  fi
  if alive containerd; then
    local t
    for t in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s KILL "$t" >/dev/null 2>&1 || true; done
  fi
  stop_pid containerd
  local pid d m i
  for pid in $(shim_pids); do kill -KILL "$pid" 2>/dev/null || true; done
  for d in $(cgroup_dirs); do
    for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  done
  for i in 1 2 3; do
    for m in $(our_mounts); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
    [ -z "$(our_mounts)" ] && break
    sleep 0.3
  done
  for i in $(seq 1 20); do
    for d in $(cgroup_dirs); do rmdir "$d" 2>/dev/null || true; done
    [ -z "$(cgroup_dirs)" ] && break
    sleep 0.2
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  # Host ends of pod interfaces go with their network namespaces; any left are removed.
  for i in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do ip link del "$i" 2>/dev/null || true; done
  rm -rf /var/lib/cni/results/"$CNI_NETWORK"-* 2>/dev/null || true
  rm -rf "$NODE/cni/ipam" "$NODE/containerd/state" 2>/dev/null || true
  restore_host
  if [ -f "$OWNER_FILE" ] && [ "$(cut -d' ' -f1 "$OWNER_FILE")" = "$LAB_DIR" ]; then rm -f "$OWNER_FILE"; fi
}

leftovers() {
  local p
  for p in kubelet containerd; do alive "$p" && echo "process: $p ($(pid_of "$p"))"; done
  for p in $(shim_pids); do echo "process: containerd-shim-runc-v2 ($p)"; done
  # What is on the host then is the owner's node, not this lab's.
  other_owner >/dev/null && return 0
  for p in $(our_mounts); do echo "mount: $p"; done
  for p in $(cgroup_dirs); do echo "cgroup: $p"; done
  ip link show "$BRIDGE" >/dev/null 2>&1 && echo "bridge: $BRIDGE"
  iptables-save 2>/dev/null | grep -E -- "$POD_CIDR|$CNI_NETWORK|KUBE-KUBELET-CANARY|KUBE-FIREWALL" | sed 's/^/iptables: /' || true
  [ -d "$NODE/host-before" ] && echo "host state not restored: $NODE/host-before"
  return 0
}

status() {
  if alive containerd && alive kubelet && node_ready; then
    echo "REAL_NODE=$NODE_NAME"
    echo "REAL_NODE_SELECTOR=$NODE_LABEL"
    echo "REAL_NODE_TAINT=$NODE_TAINT"
    echo "REAL_NODE_GATEWAY=$GATEWAY"
    return 0
  fi
  echo "REAL_NODE="
  if [ -f "$NODE/failed" ]; then echo "REAL_NODE_MISSING=$(head -n 1 "$NODE/failed")"
  else echo "REAL_NODE_MISSING=not started (bash tools/lab/node.sh up)"; fi
  return 1
}

case "${1:-}" in
  install) install ;;
  up) up ;;
  down)
    # The host's real node (bridge, cgroups, iptables, sysctls) is its owner's to undo.
    if other="$(other_owner)"; then
      stop_pid kubelet; stop_pid containerd
      log "the real node on this host is another lab's ($other): left as it is"
    else
      teardown
    fi
    [ "${2:-}" = "--purge" ] && rm -rf "$NODE"
    log "down" ;;
  status) status ;;
  leftovers) leftovers ;;
  gateway) echo "$GATEWAY" ;;
  *) echo "usage: $0 install|up|down [--purge]|status|leftovers" >&2; exit 2 ;;
esac
