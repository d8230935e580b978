#!/usr/bin/env bash
# `npm run demo`: brings the lab up and runs examples/.wharf-ci.yml on it with `run`'s own
# worker. With the lab's real node, every step runs in a real container there, from the
# lab's busybox image (the worker takes the lab's worker settings); without it (or with
# LAB_REAL_NODE=0) on the simulated nodes. It says which, and each step's log says the
# node its pod ran on. Arguments go to `run` (--input simulateFailure=yes, say).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

bash "$HERE/lab.sh" up
status="$(bash "$HERE/lab.sh" status)" || { echo "demo: the lab is not up (see above)" >&2; exit 1; }
get() { sed -n "s/^$1=//p" <<<"$status" | head -n 1; }
node="$(get REAL_NODE)" settings="$(get LAB_WORKER_SETTINGS)" image="$(get LAB_IMAGE_BUSYBOX)"
args=()
if [ "${LAB_REAL_NODE:-1}" != 0 ] && [ -n "$node" ] && [ -n "$settings" ] && [ -n "$image" ]; then
  echo "demo: every step runs in a real container on the lab's real node $node, image $image"
  export WHARF_TEMPORAL_WORKER_CONFIG="$settings"
  args=(--input "image=$image")
else
  why="$(get REAL_NODE_MISSING)"
  [ "${LAB_REAL_NODE:-1}" = 0 ] && why="turned off (LAB_REAL_NODE=0)"
  echo "demo: the lab has no real node (${why:-unknown reason}): steps run on its simulated nodes"
fi
exec node "$REPO/bin/wharf-temporal.js" run "$REPO/examples/.wharf-ci.yml" --env lab "${args[@]}" "$@"
