#!/usr/bin/env bash
# A TLS front for the lab's Temporal dev server (which has no TLS options of its own):
# nginx from Debian's package, proxying gRPC (grpc_pass) to the dev server, with
# certificates from the lab's CA (kube.sh makes it). Two listeners, as secured Temporal
# servers and Temporal Cloud behave:
#   LAB_TEMPORAL_MTLS_PORT (17263)     mTLS: a client certificate signed by the lab CA is required
#   LAB_TEMPORAL_APIKEY_PORT (17273)   TLS, and every call must carry `authorization: Bearer <lab key>`
#
#   temporal-tls.sh install          fetch nginx (apt-get download, unpacked into the cache; no service is installed)
#   temporal-tls.sh up               start it; harmless when up
#   temporal-tls.sh down [--purge]   stop it (--purge: delete its certificates and logs)
#   temporal-tls.sh status           KEY=value lines; exit 1 when down
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
LAB_DIR="${LAB_DIR:-$REPO/.lab}"
STATE="$LAB_DIR/temporal-tls"
PKI="$STATE/pki"
CA_DIR="$LAB_DIR/kube/pki"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/wharf-temporal/lab"
NGINX_DIR="$CACHE/nginx-debian-$(. /etc/os-release 2>/dev/null && echo "${VERSION_ID:-unknown}")"
NGINX="$NGINX_DIR/usr/sbin/nginx"

TEMPORAL_PORT="${LAB_TEMPORAL_PORT:-17233}"
MTLS_PORT="${LAB_TEMPORAL_MTLS_PORT:-17263}"
APIKEY_PORT="${LAB_TEMPORAL_APIKEY_PORT:-17273}"

LAB_COMPONENT=temporal-tls
# shellcheck source=lib.sh
. "$HERE/lib.sh"

install() {
  [ -x "$NGINX" ] && return 0
  command -v apt-get >/dev/null || die "apt-get is needed to fetch Debian's nginx package"
  local tmp="$NGINX_DIR.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  log "fetching Debian's nginx package into $NGINX_DIR"
  (cd "$tmp" && { apt-get download -qq nginx >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1; apt-get download -qq nginx; }; }) \
    || { rm -rf "$tmp"; die "apt-get download nginx failed"; }
  dpkg-deb -x "$tmp"/nginx_*.deb "$tmp" || { rm -rf "$tmp"; die "could not unpack $(ls "$tmp"/nginx_*.deb)"; }
  rm -f "$tmp"/nginx_*.deb
  "$tmp/usr/sbin/nginx" -V 2>&1 | grep -q -- '--with-http_v2_module' || { rm -rf "$tmp"; die "this nginx has no HTTP/2, which gRPC needs"; }
  rm -rf "$NGINX_DIR"; mv "$tmp" "$NGINX_DIR"
}

cert() { # name subject [san]
  local name=$1 subject=$2 san=${3:-}
  [ -f "$PKI/$name.crt" ] && return 0
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subject" -out "$PKI/$name.csr" 2>/dev/null
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"; [ -n "$san" ] && echo "subjectAltName=$san"; } > "$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$CA_DIR/ca.crt" -CAkey "$CA_DIR/ca.key" -CAcreateserial -CAserial "$PKI/ca.srl" \
    -days 3650 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

pki() {
  [ -f "$CA_DIR/ca.crt" ] && [ -f "$CA_DIR/ca.key" ] || die "the lab's CA ($CA_DIR/ca.crt) is missing: kube.sh up makes it"
  mkdir -p "$PKI"
  # Certificates of an older CA (after a purge of the Kubernetes half) are made again.
  if [ -f "$PKI/ca.crt" ] && ! cmp -s "$PKI/ca.crt" "$CA_DIR/ca.crt"; then rm -f "$PKI"/*; fi
  cp "$CA_DIR/ca.crt" "$PKI/ca.crt"
  cert server "/CN=temporal-lab" "IP:127.0.0.1,DNS:localhost"
  cert client "/O=wharf-temporal/CN=wharf-temporal-worker"
  # A certificate from a CA the proxy does not trust, for tests that must be refused.
  if [ ! -f "$PKI/stranger.crt" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/stranger.key" -out "$PKI/stranger.crt" -subj "/CN=stranger" -days 3650 2>/dev/null
  fi
  [ -f "$PKI/api-key" ] || openssl rand -hex 24 > "$PKI/api-key"
}

config() {
  local key
  key="$(cat "$PKI/api-key")"
  mkdir -p "$STATE/tmp"
  cat > "$STATE/nginx.conf" <<CONF
# Written by temporal-tls.sh up.
daemon off;
worker_processes 1;
pid $STATE/nginx.pid;
error_log $STATE/error.log warn;
events { worker_connections 512; }
http {
  access_log $STATE/access.log;
  client_body_temp_path $STATE/tmp/body;
  proxy_temp_path $STATE/tmp/proxy;
  fastcgi_temp_path $STATE/tmp/fastcgi;
  uwsgi_temp_path $STATE/tmp/uwsgi;
  scgi_temp_path $STATE/tmp/scgi;
  # Long polls last about a minute; histories and bundles can be large.
  client_max_body_size 0;
  client_body_timeout 300s;
  grpc_read_timeout 300s;
  grpc_send_timeout 300s;
  keepalive_timeout 300s;
  upstream temporal { server 127.0.0.1:$TEMPORAL_PORT; keepalive 32; }
  ssl_certificate $PKI/server.crt;
  ssl_certificate_key $PKI/server.key;
  ssl_protocols TLSv1.2 TLSv1.3;
  server {
    listen 127.0.0.1:$MTLS_PORT ssl http2;
    ssl_client_certificate $PKI/ca.crt;
    ssl_verify_client on;
    location / { grpc_pass grpc://temporal; }
  }
  server {
    listen 127.0.0.1:$APIKEY_PORT ssl http2;
    location / {
      if (\$http_authorization != "Bearer $key") { return 401; }
      grpc_pass grpc://temporal;
    }
  }
}
CONF
}

pid() { [ -f "$STATE/master.pid" ] && cat "$STATE/master.pid"; }
alive() { local p; p="$(pid)" && [ -n "$p" ] && process_alive "$p"; }
listening() { ! port_free "$MTLS_PORT" && ! port_free "$APIKEY_PORT"; }

up() {
  if alive && listening; then log "already up"; return 0; fi
  stop
  install
  pki
  config
  need_port "$MTLS_PORT" LAB_TEMPORAL_MTLS_PORT "the Temporal mTLS proxy"
  need_port "$APIKEY_PORT" LAB_TEMPORAL_APIKEY_PORT "the Temporal API-key proxy"
  "$NGINX" -t -q -p "$STATE" -e "$STATE/error.log" -c "$STATE/nginx.conf" 2>"$STATE/check.log" || { cat "$STATE/check.log" >&2; die "nginx rejected $STATE/nginx.conf"; }
  local begin=$SECONDS
  setsid "$NGINX" -p "$STATE" -e "$STATE/error.log" -c "$STATE/nginx.conf" >"$STATE/nginx.log" 2>&1 </dev/null 9>&- &
  echo $! > "$STATE/master.pid"
  until listening; do
    if ! alive || [ $((SECONDS - begin)) -gt 20 ]; then
      log "nginx did not come up; last lines of $STATE/error.log:"; tail -n 20 "$STATE/error.log" >&2 || true
      stop; exit 1
    fi
    sleep 0.1
  done
  log "up: mTLS on 127.0.0.1:$MTLS_PORT, API key on 127.0.0.1:$APIKEY_PORT, to Temporal on 127.0.0.1:$TEMPORAL_PORT"
}

stop() {
  local p
  p="$(pid || true)"
  if [ -n "$p" ]; then
    kill -TERM -- "-$p" 2>/dev/null || true
    for _ in $(seq 1 50); do process_alive "$p" || break; sleep 0.1; done
    kill -KILL -- "-$p" 2>/dev/null || true
  fi
  rm -f "$STATE/master.pid"
}

status() {
  # Only when up: the tests that need the proxy look for these lines.
  alive && listening || return 1
  echo "TEMPORAL_MTLS_ADDRESS=127.0.0.1:$MTLS_PORT"
  echo "TEMPORAL_APIKEY_ADDRESS=127.0.0.1:$APIKEY_PORT"
  echo "TEMPORAL_TLS_DIR=$PKI"
}

locked() { mkdir -p "$STATE"; exec 9>"$STATE/.lock"; flock 9; }

case "${1:-}" in
  install) install ;;
  up) locked; up ;;
  down) locked; stop; if [ "${2:-}" = "--purge" ]; then rm -rf "$STATE"; fi; log "down" ;;
  status) status ;;
  *) echo "usage: $0 install|up|down [--purge]|status" >&2; exit 2 ;;
esac
