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
