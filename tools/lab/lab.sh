#!/usr/bin/env bash
# The local lab: a real Temporal dev server (temporal.sh), a real Kubernetes control
# plane with simulated nodes (kube.sh), PostgreSQL for the shared build store
# (postgres.sh) and a TLS front for Temporal (temporal-tls.sh, mTLS and API keys), for
# the demo and the tests.
#   lab.sh up               start them all (harmless when up); exit non-zero, naming the part, if one fails
#   lab.sh down [--purge]   stop them, leaving no process (--purge: delete their state too)
#   lab.sh status           every part's KEY=value lines; exit non-zero if Temporal, Kubernetes or PostgreSQL is down
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

LAB_DIR="${LAB_DIR:-$(cd "$HERE/../.." && pwd)/.lab}"
SETTINGS="$LAB_DIR/node/worker-settings.yaml"

# A part's script, without the lab's own lock (fd 8): a server a part starts must not
# inherit it, or the next up or down would wait for that server to end.
part() { local script=$1; shift; bash "$HERE/$script" "$@" 8>&-; }

# One up or down at a time (`npm run demo` while the tests bring the lab up, say): a
# second waits, then finds every part up.
lab_locked() { mkdir -p "$LAB_DIR"; exec 8>"$LAB_DIR/.lab.lock"; flock 8; }

# The real node, its registry and images. A part that cannot start is named (with its
# log's last lines, by the part's script) and the lab stays up with simulated nodes.
# The settings file stays in place while the lab comes up again (workers starting
# meanwhile read it); it goes only when the real node is missing.
real_node_up() {
  if [ "${LAB_REAL_NODE:-1}" = 0 ]; then
    rm -f "$SETTINGS"
    mkdir -p "$LAB_DIR/node"; echo "node: turned off (LAB_REAL_NODE=0)" > "$LAB_DIR/node/failed"
    echo "lab: the real node is turned off (LAB_REAL_NODE=0): simulated nodes only" >&2; return 0
  fi
  if ! { part node.sh up && part registry.sh up && part images.sh push && part deploy-target.sh up; }; then
    rm -f "$SETTINGS"
    echo "lab: the real node is missing: simulated nodes only (see above; bash tools/lab/node.sh status)" >&2
    return 0
  fi
  write_settings
}

# Worker settings that run step pods on the real node with the lab's images.
write_settings() {
  part images.sh list > "$LAB_DIR/node/images.env.tmp"
  mv "$LAB_DIR/node/images.env.tmp" "$LAB_DIR/node/images.env"
  eval "$(cat "$LAB_DIR/node/images.env")"
  cat > "$SETTINGS.tmp" <<EOF
# Step pods on the lab's real node, with the lab's images (written by lab.sh up).
dockerBuilder: buildkit
images:
  source: $LAB_IMAGE_BUSYBOX
$([ -n "${LAB_IMAGE_BUILDKIT:-}" ] && echo "  buildkit: $LAB_IMAGE_BUILDKIT")
$([ -n "${LAB_IMAGE_KUBECTL:-}" ] && echo "  kubectl: $LAB_IMAGE_KUBECTL")
$([ -n "${LAB_IMAGE_HELM:-}" ] && printf '  helm: %s\n  helmPackage: %s' "${LAB_IMAGE_HELM%:*}" "$LAB_IMAGE_HELM")
pod:
  nodeSelector: {wharf-temporal.lab/node: real}
  tolerations: [{key: wharf-temporal.lab/real-node, operator: Exists, effect: NoSchedule}]
EOF
  mv "$SETTINGS.tmp" "$SETTINGS"
}

case "${1:-}" in
  up)
    lab_locked
    part temporal.sh up
    part kube.sh up
    part postgres.sh up
    part temporal-tls.sh up
    real_node_up ;;
  down)
    lab_locked
    rc=0
    part registry.sh down || rc=1
    part node.sh down "${2:-}" || rc=1
    part temporal-tls.sh down "${2:-}" || rc=1
    part postgres.sh down "${2:-}" || rc=1
    part kube.sh down "${2:-}" || rc=1
    part temporal.sh down "${2:-}" || rc=1
    exit $rc ;;
  status)
    rc=0
    bash "$HERE/temporal.sh" status || rc=1
    bash "$HERE/kube.sh" status || rc=1
    bash "$HERE/postgres.sh" status || rc=1
    # The TLS front is for the tests that need it; a lab without it is still a lab.
    bash "$HERE/temporal-tls.sh" status || true
    # The real node is reported, never required: without it the lab has simulated nodes.
    if bash "$HERE/node.sh" status && bash "$HERE/registry.sh" status >/dev/null && [ -f "$SETTINGS" ]; then
      bash "$HERE/registry.sh" status
      cat "$LAB_DIR/node/images.env"
      bash "$HERE/deploy-target.sh" status || true
      echo "LAB_WORKER_SETTINGS=$SETTINGS"
    fi
    exit $rc ;;
  *) echo "usage: $0 up|down [--purge]|status" >&2; exit 2 ;;
esac
