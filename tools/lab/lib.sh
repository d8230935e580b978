# Shell helpers shared by the lab scripts. Source it after setting LAB_COMPONENT.

log() { printf 'lab/%s: %s\n' "$LAB_COMPONENT" "$*" >&2; }
die() { log "$*"; exit 1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# A port may take a moment to be released by a process that was just stopped.
port_free_soon() { local i; for i in $(seq 1 25); do port_free "$1" && return 0; sleep 0.2; done; return 1; }

need_port() { # port variable component
  port_free_soon "$1" || die "port $1 ($2, for $3) is already in use: stop what uses it or set $2 to another port"
}

# A killed process can linger as a zombie until its new parent reaps it: that is dead too.
process_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]
}

# ---- OCI images from a root filesystem (umoci) ---------------------------------------
# oci_new DIR TAG: an empty image DIR/layout:TAG, its root filesystem at DIR/bundle/rootfs.
oci_new() {
  local dir=$1 tag=$2
  rm -rf "$dir"; mkdir -p "$dir"
  umoci init --layout "$dir/layout" >/dev/null
  umoci new --image "$dir/layout:$tag" >/dev/null
  umoci unpack --image "$dir/layout:$tag" "$dir/bundle" >/dev/null
}
# oci_commit DIR TAG [umoci config flags...]: the root filesystem as a layer, then the config.
oci_commit() {
  local dir=$1 tag=$2; shift 2
  umoci repack --image "$dir/layout:$tag" "$dir/bundle" >/dev/null
  [ $# = 0 ] || umoci config --image "$dir/layout:$tag" "$@" >/dev/null
  umoci gc --layout "$dir/layout" >/dev/null
  rm -rf "$dir/bundle"
}

# The lab's pod network: its CIDR and the bridge's address in it (the host, as pods see
# it; the registry, the git server and the API server are reached there).
LAB_POD_CIDR="${LAB_NODE_POD_CIDR:-10.244.250.0/24}"
lab_gateway() { python3 -c 'import ipaddress,sys; print(next(ipaddress.ip_network(sys.argv[1]).hosts()))' "$LAB_POD_CIDR"; }
