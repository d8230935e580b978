#!/usr/bin/env bash
# The lab's OCI image registry (distribution v3, from its Go module) with TLS from the
# lab's CA, on the pod bridge's address so the node's containerd and the pods reach it
# under one name. The lab's images (images.sh) are pushed here and pulled like any image.
#
#   registry.sh install   build (or find in the cache) the registry
#   registry.sh up        start it; harmless when up
#   registry.sh down      stop it (--purge: delete its storage)
#   registry.sh status    KEY=value lines; exit 1 when down
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
LAB_DIR="${LAB_DIR:-$REPO/.lab}"
PKI="$LAB_DIR/kube/pki"
STATE="$LAB_DIR/registry"
REGISTRY_VERSION="v3.1.2"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/wharf-temporal/lab"
BIN="$CACHE/registry-$REGISTRY_VERSION"
PORT="${LAB_REGISTRY_PORT:-16500}"

LAB_COMPONENT=registry
# shellcheck source=lib.sh
. "$HERE/lib.sh"
HOST="$(lab_gateway):$PORT"

install() {
  [ -x "$BIN/registry" ] && return 0
  command -v go >/dev/null || die "Go is needed to build the registry (apt-get install golang)"
  local tmp="$BIN.tmp.$$" start=$SECONDS
  log "building the registry $REGISTRY_VERSION"
  GOBIN="$tmp" go install -trimpath -ldflags '-s -w' "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_VERSION" \
    || { rm -rf "$tmp"; die "go install of the registry failed"; }
  mv "$tmp" "$BIN"
  log "built in $((SECONDS - start))s"
}

cert() {
  [ -f "$STATE/tls.crt" ] && openssl x509 -in "$STATE/tls.crt" -noout -ext subjectAltName 2>/dev/null | grep -q "IP Address:${HOST%:*}\\b" && return 0
  [ -f "$PKI/ca.crt" ] || die "the lab's CA is not there yet (start kube.sh first)"
  openssl genrsa -out "$STATE/tls.key" 2048 2>/dev/null
  openssl req -new -key "$STATE/tls.key" -subj "/CN=wharf-temporal-lab-registry" -out "$STATE/tls.csr" 2>/dev/null
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
    "subjectAltName=IP:${HOST%:*},IP:127.0.0.1,DNS:localhost" > "$STATE/tls.ext"
  openssl x509 -req -in "$STATE/tls.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 3650 -sha256 \
    -extfile "$STATE/tls.ext" -out "$STATE/tls.crt" 2>/dev/null
  rm -f "$STATE/tls.csr" "$STATE/tls.ext"
}

pid() { [ -f "$STATE/registry.pid" ] && cat "$STATE/registry.pid"; }
alive() { local p; p="$(pid)" && [ -n "$p" ] && process_alive "$p"; }
answers() { curl -sf --max-time 5 --cacert "$PKI/ca.crt" "https://$HOST/v2/" >/dev/null; }

up() {
  if alive && answers; then log "already up"; return 0; fi
  install
  mkdir -p "$STATE/data"
  cert
  alive || need_port "$PORT" LAB_REGISTRY_PORT registry
  cat > "$STATE/config.yml" <<EOF
version: 0.1
log: {level: warn, formatter: text}
storage:
  filesystem: {rootdirectory: $STATE/data}
  delete: {enabled: true}
http:
  addr: 0.0.0.0:$PORT
  tls: {certificate: $STATE/tls.crt, key: $STATE/tls.key}
EOF
  if ! alive; then
    OTEL_TRACES_EXPORTER=none setsid nohup "$BIN/registry" serve "$STATE/config.yml" >"$STATE/registry.log" 2>&1 </dev/null &
    echo $! > "$STATE/registry.pid"
  fi
  local deadline=$((SECONDS + 30))
  until answers; do
    if ! alive || [ $SECONDS -ge $deadline ]; then
      log "the registry failed to start; last lines of $STATE/registry.log:"
      tail -n 20 "$STATE/registry.log" >&2 || true
      down; exit 1
    fi
    sleep 0.2
  done
  log "up at $HOST"
}

down() {
  local p; p="$(pid || true)"
  if [ -n "$p" ]; then
    kill -TERM -- "-$p" 2>/dev/null || true
    for _ in $(seq 1 25); do process_alive "$p" || break; sleep 0.2; done
    kill -KILL -- "-$p" 2>/dev/null || true
  fi
  rm -f "$STATE/registry.pid"
}

status() {
  echo "LAB_REGISTRY=$HOST"
  alive && answers
}

case "${1:-}" in
  install) install ;;
  up) up ;;
  down) down; [ "${2:-}" = "--purge" ] && rm -rf "$STATE"; log "down" ;;
  status) status ;;
  host) echo "$HOST" ;;
  *) echo "usage: $0 install|up|down [--purge]|status|host" >&2; exit 2 ;;
esac
