// Runs a step's command detached inside its container, so that the command never runs
// twice and never dies with the connection that started it. One exec both starts the
// command (only if no earlier attempt did: `mkdir` is atomic) and follows its output
// files from given byte offsets; a later exec re-attaches the same way after a dropped
// connection or a worker crash.
//
// The follower speaks a small framed protocol on stdout, so both streams, keep-alives
// and the exit code travel over one connection:
//   s new|attached       the command was started by this exec, or was already running
//   o N\n<N bytes>       N bytes of the command's stdout
//   e N\n<N bytes>       N bytes of the command's stderr
//   k                    keep-alive (the command printed nothing for a while)
//   t                    this follow session ended by its time limit; re-attach
//   x CODE               the command exited with CODE; all output has been sent
// Only POSIX sh and busybox-level tools are used (mkdir, wc, tail -c, head -c, date, sleep).

const FOLLOW_SCRIPT = String.raw`
d=$1 o1=$2 o2=$3 lim=$4
shift 4
mkdir -p "$(dirname "$d")" || exit 97
if mkdir "$d" 2>/dev/null; then
  : >"$d/out"; : >"$d/err"
  ( "$@" >"$d/out" 2>"$d/err" </dev/null; echo $? >"$d/code.tmp"; mv "$d/code.tmp" "$d/code" ) >/dev/null 2>&1 &
  echo "s new"
else
  echo "s attached"
fi
size() { n=$(wc -c <"$1" 2>/dev/null) || n=0; echo $((n + 0)); }
emit() {
  if [ "$4" -gt "$3" ]; then
    echo "$1 $(($4 - $3))"
    tail -c +$(($3 + 1)) "$2" | head -c $(($4 - $3))
  fi
}
start=$(date +%s); beat=$start; idle=0
while :; do
  fin=; [ -e "$d/code" ] && fin=1
  s1=$(size "$d/out"); s2=$(size "$d/err")
  emit o "$d/out" "$o1" "$s1"
  emit e "$d/err" "$o2" "$s2"
  if [ "$s1" -ne "$o1" ] || [ "$s2" -ne "$o2" ]; then idle=0; else idle=$((idle + 1)); fi
  o1=$s1; o2=$s2
  if [ -n "$fin" ]; then echo "x $(cat "$d/code")"; exit 0; fi
  now=$(date +%s)
  if [ $((now - start)) -ge "$lim" ]; then echo t; exit 0; fi
  if [ $((now - beat)) -ge 10 ]; then echo k; beat=$now; fi
  case $idle in 0|1|2|3) sleep 0.02 ;; 4|5|6|7|8) sleep 0.1 ;; *) sleep 0.25 ;; esac
done
`;

export interface FollowRequest {
  /** The command's state directory inside the container (one per command, on the pod's command-state volume). */
  stateDir: string;
  /** Bytes of stdout and stderr already received and stored. */
  offsets: StreamOffsets;
  /** How long one follow session lasts before the caller re-attaches. */
  sessionSeconds: number;
  command: string[];
  /** A POSIX shell in the container (default /bin/sh). */
  shell?: string;
}

export interface StreamOffsets {
  out: number;
  err: number;
}

/** The exec command line that starts (once) and follows a detached command. */
export function followCommandLine(req: FollowRequest): string[] {
  return [
    req.shell ?? '/bin/sh',
    '-c',
    FOLLOW_SCRIPT,
    'wharf-temporal-run',
    req.stateDir,
    String(req.offsets.out),
    String(req.offsets.err),
    String(req.sessionSeconds),
    ...req.command,
  ];
}
