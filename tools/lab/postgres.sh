#!/usr/bin/env bash
# The build store's half of the lab: a PostgreSQL server of its own, on loopback only,
# with its data under .lab (the shared build store for tests and several workers).
#
#   postgres.sh up               start it and wait until it answers; harmless when up
#   postgres.sh down [--purge]   stop it, leaving no process (--purge: delete its data too)
#   postgres.sh status           KEY=value lines (POSTGRES_URL=...); exit 1 when down
#
# Where PostgreSQL comes from: Debian's postgresql package (/usr/lib/postgresql/<major>),
# installed with apt-get when it is missing. PostgreSQL refuses to run as root, so the
# server runs as an unprivileged system user this script creates (LAB_POSTGRES_USER).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
LAB_DIR="${LAB_DIR:-$REPO/.lab}"
STATE="$LAB_DIR/postgres"

PORT="${LAB_POSTGRES_PORT:-15432}"
OS_USER="${LAB_POSTGRES_USER:-wharf-lab-pg}"
DB_USER=wharf
DB_PASSWORD=wharf-lab
DB_NAME=wharf

LAB_COMPONENT=postgres
# shellcheck source=lib.sh
. "$HERE/lib.sh"

bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] && [ -x "$dir/postgres" ] && echo "$dir"
}

install() {
  bindir >/dev/null && return 0
  command -v apt-get >/dev/null || die "PostgreSQL is not installed and there is no apt-get to install it (Debian's postgresql package)"
  log "installing Debian's postgresql package"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >&2 \
    || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >&2; } \
    || die "apt-get could not install postgresql"
  bindir >/dev/null || die "postgresql is installed but no /usr/lib/postgresql/*/bin/postgres was found"
}

# The unprivileged user the server runs as.
ensure_user() {
  id -u "$OS_USER" >/dev/null 2>&1 && return 0
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$OS_USER" 2>/dev/null \
    || id -u "$OS_USER" >/dev/null 2>&1 || die "could not create the system user $OS_USER"
}

as_user() { runuser -u "$OS_USER" -- "$@"; }

# The data folder: under .lab when the server's user can reach it, else a folder of its
# own under /var/lib named after this lab (a clone under /root is closed to other users).
datadir() {
  if [ -f "$STATE/datadir" ]; then cat "$STATE/datadir"; return 0; fi
  local dir="$STATE/data"
  if ! as_user test -x "$STATE"; then
    dir="/var/lib/wharf-temporal-lab/$(printf '%s' "$LAB_DIR" | sha256sum | cut -c1-16)/data"
  fi
  echo "$dir" > "$STATE/datadir"
  echo "$dir"
}

# Known once up has chosen the data folder.
pid() { local d; [ -f "$STATE/datadir" ] && d="$(cat "$STATE/datadir")" && [ -f "$d/postmaster.pid" ] && head -n 1 "$d/postmaster.pid"; }
alive() { local p; p="$(pid 2>/dev/null)" && [ -n "$p" ] && process_alive "$p"; }
healthy() { "$(bindir)/pg_isready" -q -h 127.0.0.1 -p "$PORT" -d "$DB_NAME" -U "$DB_USER" >/dev/null 2>&1; }

init() {
  local data="$1" bin pwfile
  [ -f "$data/PG_VERSION" ] && return 0
  bin="$(bindir)"
  mkdir -p "$data"
  chown "$OS_USER" "$data" "$(dirname "$data")"
  chmod 700 "$data"
  pwfile="$(dirname "$data")/pwfile"
  printf '%s\n' "$DB_PASSWORD" > "$pwfile"
  chown "$OS_USER" "$pwfile"; chmod 600 "$pwfile"
  log "creating the database cluster in $data"
  as_user "$bin/initdb" -D "$data" -U "$DB_USER" --pwfile="$pwfile" --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$STATE/initdb.log" 2>&1 \
    || { tail -n 20 "$STATE/initdb.log" >&2; rm -f "$pwfile"; die "initdb failed"; }
  rm -f "$pwfile"
  # Loopback only, password authentication for every connection.
  cat > "$data/pg_hba.conf" <<'EOF'
host all all 127.0.0.1/32 scram-sha-256
EOF
  chown "$OS_USER" "$data/pg_hba.conf"
}

up() {
  mkdir -p "$STATE"
  if alive && healthy; then log "already up"; return 0; fi
  install
  ensure_user
  chmod 755 "$LAB_DIR" "$STATE" 2>/dev/null || true
  local data begin=$SECONDS bin
  data="$(datadir)"
  bin="$(bindir)"
  stop
  need_port "$PORT" LAB_POSTGRES_PORT "PostgreSQL"
  init "$data"
  # No unix socket (its default folder belongs to the system's own cluster): TCP on loopback.
  setsid runuser -u "$OS_USER" -- "$bin/postgres" -D "$data" -c listen_addresses=127.0.0.1 -c port="$PORT" \
    -c unix_socket_directories= -c max_connections=200 -c fsync=off -c synchronous_commit=off \
    >"$STATE/server.log" 2>&1 </dev/null 9>&- &
  until healthy; do
    if [ $((SECONDS - begin)) -gt 60 ]; then
      log "PostgreSQL did not come up in $((SECONDS - begin))s; last lines of $STATE/server.log:"
      tail -n 30 "$STATE/server.log" >&2 || true
      stop
      exit 1
    fi
    sleep 0.2
  done
  if [ ! -f "$STATE/created" ]; then
    PGPASSWORD="$DB_PASSWORD" "$bin/psql" -q -h 127.0.0.1 -p "$PORT" -U "$DB_USER" -d postgres -c "CREATE DATABASE $DB_NAME" >/dev/null 2>&1 || true
    touch "$STATE/created"
  fi
  log "up in $((SECONDS - begin))s: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
}

stop() {
  local p
  p="$(pid 2>/dev/null || true)"
  if [ -n "$p" ] && process_alive "$p"; then
    as_user "$(bindir)/pg_ctl" -D "$(cat "$STATE/datadir")" -m fast -w -t 20 stop >/dev/null 2>&1 || kill -KILL "$p" 2>/dev/null || true
    for _ in $(seq 1 100); do process_alive "$p" || break; sleep 0.1; done
  fi
}

status() {
  echo "POSTGRES_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PORT/$DB_NAME"
  alive && healthy
}

locked() { mkdir -p "$STATE"; exec 9>"$STATE/.lock"; flock 9; }

case "${1:-}" in
  install) install ;;
  up) locked; up ;;
  down)
    locked; stop
    if [ "${2:-}" = "--purge" ]; then [ -f "$STATE/datadir" ] && rm -rf "$(cat "$STATE/datadir")"; rm -rf "$STATE"; fi
    log "down" ;;
  status) mkdir -p "$STATE"; status ;;
  *) echo "usage: $0 install|up|down [--purge]|status" >&2; exit 2 ;;
esac
