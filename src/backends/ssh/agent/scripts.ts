// The host agent's scripts, POSIX sh only (what every Linux host has): the agent loop and the session
// wrapper of the environment's sshd. Kept as text; `host-agent.ts` uploads them with the job files.

import { ACTIVE_CONNECTION_SECS } from '../../connection-activity';

/**
 * `agent.sh <dir>`: sources `env.sh` (bare or container mode, see environment-scripts.ts), starts the
 * environment (its sshd), runs init inside it (output to init.log), marks readiness, samples metrics
 * (CPU, memory, GPUs) every few seconds, then watches activity (established connections to the sshd
 * port open for more than 10 s, counted from /proc/net/tcp like dstack's runner: the container shares the
 * host network) and
 * stops everything it started when the lease expired and the environment was idle for the inactivity
 * duration, when max_duration passed, or when asked (a `stop_requested` file).
 */
export const AGENT_SH = `#!/bin/sh
set -u
D=$1
cd "$D" || exit 1
. "$D/params"
echo $$ > agent.pid
STARTED=$(date +%s)
LAST_ACTIVE=$STARTED
echo starting > state
touch lease
TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
PAGE=$(getconf PAGESIZE 2>/dev/null || echo 4096)
# "<cpu usec> <rss bytes>" of the process trees under the given pids
tree_usage() {
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v roots="$1" -v tck="$TCK" -v page="$PAGE" '
    BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) if (r[i] != "") keep[r[i]] = 1 }
    { pid = $1; s = $0; sub(/^.*\\) /, "", s); split(s, f, " "); pp[pid] = f[2]; t[pid] = f[12] + f[13]; rss[pid] = f[22] }
    END {
      do { changed = 0; for (p in pp) if (!(p in keep) && (pp[p] in keep)) { keep[p] = 1; changed = 1 } } while (changed)
      for (p in keep) if (p in t) { tt += t[p]; rr += rss[p] }
      printf "%d %d\\n", tt * 1000000 / tck, rr * page
    }'
}
# "<cpu usec> <memory bytes>" of the cgroup of a pid (v1 cpuacct/memory, else v2)
cgroup_usage() {
  cpu=""; mem=""
  while IFS=: read -r _ ctl cg; do
    case ",$ctl," in
      *,cpuacct,*) for m in /sys/fs/cgroup/cpuacct /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup/cpuacct,cpu; do [ -r "$m$cg/cpuacct.usage" ] && { cpu=$(( $(cat "$m$cg/cpuacct.usage") / 1000 )); break; }; done ;;
      *,memory,*) [ -r "/sys/fs/cgroup/memory$cg/memory.usage_in_bytes" ] && mem=$(cat "/sys/fs/cgroup/memory$cg/memory.usage_in_bytes") ;;
      ,,) [ -z "$cpu" ] && [ -r "/sys/fs/cgroup$cg/cpu.stat" ] && cpu=$(awk '$1 == "usage_usec" { print $2 }' "/sys/fs/cgroup$cg/cpu.stat")
          [ -z "$mem" ] && [ -r "/sys/fs/cgroup$cg/memory.current" ] && mem=$(cat "/sys/fs/cgroup$cg/memory.current") ;;
    esac
  done < "/proc/$1/cgroup"
  [ -n "$cpu" ] && [ -n "$mem" ] && echo "$cpu $mem"
}
. "$D/env.sh"
PREV_CPU=""; PREV_AT=""
sample() {
  NOW_US=$(($(date +%s) * 1000000))
  U=$(env_sample 2>/dev/null) || U=""
  {
    echo "at=$(date +%s)"
    if [ -n "$U" ]; then
      set -- $U
      if [ -n "$PREV_CPU" ] && [ "$NOW_US" -gt "$PREV_AT" ]; then
        awk -v a="$1" -v b="$PREV_CPU" -v dt=$((NOW_US - PREV_AT)) 'BEGIN { d = a - b; if (d < 0) d = 0; printf "cpu=%.1f\\n", d * 100 / dt }'
      fi
      PREV_CPU=$1; PREV_AT=$NOW_US
      echo "mem_used=$2"
    fi
    echo "mem_total=$(awk '/^MemTotal:/ { print $2 * 1024 }' /proc/meminfo)"
    if command -v nvidia-smi >/dev/null 2>&1; then
      nvidia-smi --query-gpu=utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits 2>/dev/null | tr -d ' ' | sed -n 's/^\\([0-9.]*\\),\\([0-9.]*\\),\\([0-9.]*\\)$/gpu=\\1,\\2,\\3/p'
    fi
  } > metrics.tmp && mv metrics.tmp metrics
}
conns_listening() {
  P=$(printf ':%04X' "$PORT")
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p="$P" 'substr($2, length($2) - 4) == p && $4 == "0A" { n++ } END { print n + 0 }'
}
# ESTABLISHED connections to the sshd port that have been open for more than ${ACTIVE_CONNECTION_SECS} s at time $1, as
# dstack's runner counts them (shorter ones are probes). A connection is known across ticks by its addresses
# and socket inode; conns_seen keeps when each was first seen.
long_conns() {
  P=$(printf ':%04X' "$PORT")
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p="$P" -v now="$1" -v min=${ACTIVE_CONNECTION_SECS} -v seen="$D/conns_seen" '
    BEGIN { while ((getline l < seen) > 0) { split(l, f, " "); first[f[1]] = f[2] } close(seen) }
    substr($2, length($2) - 4) == p && $4 == "01" { k = $2 "/" $3 "/" $10; t = (k in first) ? first[k] : now; now_open[k] = t; if (now - t > min) n++ }
    END { out = seen ".tmp"; printf "" > out; for (k in now_open) print k, now_open[k] > out; close(out); print n + 0 }'
  mv "$D/conns_seen.tmp" "$D/conns_seen"
}
stop_all() {
  echo "$1" > stop_reason
  [ -n "\${INIT_PID:-}" ] && kill -TERM -- "-$INIT_PID" "$INIT_PID" 2>/dev/null
  env_stop
  echo stopped > state
  exit 0
}
trap 'stop_all requested' TERM INT
INIT_PID=""
if env_start >> init.log 2>&1; then
  echo init > state
  # The init wrapper records the outcome itself, so readiness shows without waiting for the loop's tick.
  setsid sh -c 'D=$1; . "$D/env.sh"; env_run "$D/init.sh" >> "$D/init.log" 2>&1 < /dev/null; rc=$?; if [ $rc = 0 ]; then echo ready > "$D/state"; else echo $rc > "$D/init_exit"; echo failed > "$D/state"; fi; echo $rc > "$D/init_rc"' init "$D" &
  INIT_PID=$!
  echo $INIT_PID > init.pid
else
  RC=$?
  echo "$RC" > init_exit; echo failed > state
fi
TICK=0
while :; do
  NOW=$(date +%s)
  if [ -n "\${INIT_PID:-}" ] && [ -f init_rc ]; then
    RC=$(cat init_rc)
    INIT_PID=""
    rm -f init.pid
    if [ "$RC" = 0 ]; then echo ready > state; else echo "$RC" > init_exit; echo failed > state; fi
  fi
  if [ "$(long_conns "$NOW")" -gt 0 ]; then LAST_ACTIVE=$NOW; fi
  echo $((NOW - LAST_ACTIVE)) > idle_secs.tmp && mv idle_secs.tmp idle_secs
  [ $((TICK % SAMPLE_SECS)) = 0 ] && sample
  TICK=$((TICK + 1))
  LEASE_AT=$(date -r lease +%s 2>/dev/null || echo 0)
  [ -f stop_requested ] && stop_all requested
  if [ "$MAX_DURATION" -gt 0 ] && [ $((NOW - STARTED)) -ge "$MAX_DURATION" ]; then stop_all max_duration; fi
  if [ $((NOW - LEASE_AT)) -gt "$LEASE" ] && [ "$INACTIVITY" -gt 0 ] && [ $((NOW - LAST_ACTIVE)) -ge "$INACTIVITY" ]; then stop_all inactivity; fi
  sleep 1
done
`;

/**
 * The sshd ForceCommand: every session gets the job env (verbatim), then the environment's profile (the venv's
 * activation, where there is one), and starts in the working dir.
 */
export const SESSION_SH = `#!/bin/sh
D=$(dirname "$0")
. "$D/job.env"
[ -r "$D/profile" ] && . "$D/profile"
cd "$DSTACK_WORKING_DIR" 2>/dev/null || cd
case "\${SSH_ORIGINAL_COMMAND:-}" in
  "") exec "\${SHELL:-/bin/sh}" -l ;;
  internal-sftp|*/sftp-server)
    for s in /usr/lib/openssh/sftp-server /usr/libexec/openssh/sftp-server /usr/libexec/sftp-server; do [ -x "$s" ] && exec "$s"; done
    echo "no sftp-server on this host" >&2; exit 1 ;;
  *) exec "\${SHELL:-/bin/sh}" -c "$SSH_ORIGINAL_COMMAND" ;;
esac
`;
