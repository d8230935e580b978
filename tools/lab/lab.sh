#!/usr/bin/env bash
# The local lab: a real Temporal dev server and a real Kubernetes control plane with
# simulated nodes, for the demo and the tests.
#   lab.sh up | down [--purge] | status
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

case "${1:-}" in
  up)
    bash "$HERE/temporal.sh" up
    bash "$HERE/kube.sh" up ;;
  down)
    bash "$HERE/kube.sh" down "${2:-}"
    bash "$HERE/temporal.sh" down "${2:-}" ;;
  status)
    rc=0
    bash "$HERE/temporal.sh" status || rc=1
    bash "$HERE/kube.sh" status || rc=1
    exit $rc ;;
  *) echo "usage: $0 up|down [--purge]|status" >&2; exit 2 ;;
esac
