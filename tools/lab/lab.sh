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

case "${1:-}" in
  up)
    bash "$HERE/temporal.sh" up
    bash "$HERE/kube.sh" up
    bash "$HERE/postgres.sh" up
    bash "$HERE/temporal-tls.sh" up ;;
  down)
    rc=0
    bash "$HERE/temporal-tls.sh" down "${2:-}" || rc=1
    bash "$HERE/postgres.sh" down "${2:-}" || rc=1
    bash "$HERE/kube.sh" down "${2:-}" || rc=1
    bash "$HERE/temporal.sh" down "${2:-}" || rc=1
    exit $rc ;;
  status)
    rc=0
    bash "$HERE/temporal.sh" status || rc=1
    bash "$HERE/kube.sh" status || rc=1
    bash "$HERE/postgres.sh" status || rc=1
    # The TLS front is for the tests that need it; a lab without it is still a lab.
    bash "$HERE/temporal-tls.sh" status || true
    exit $rc ;;
  *) echo "usage: $0 up|down [--purge]|status" >&2; exit 2 ;;
esac
