// The host agent's scripts, POSIX sh only (what every Linux host has): the agent loop and the session
// wrapper of the environment's sshd. Kept as text; `host-agent.ts` uploads them with the job files.

/**
 * `agent.sh <dir>`: starts the environment's sshd, runs init (output to init.log), marks readiness, then
 * watches activity (established connections to the sshd port, counted from /proc/net/tcp like dstack's
 * runner) and stops everything it started when the lease expired and the environment was idle for the
 * inactivity duration, when max_duration passed, or when asked (a `stop_requested` file).
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
SSHD=$(command -v sshd 2>/dev/null || echo /usr/sbin/sshd)
"$SSHD" -D -e -f "$D/sshd_config" >> sshd.log 2>&1 &
echo $! > sshd.pid
conns() {
  P=$(printf ':%04X' "$PORT")
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p="$P" 'substr($2, length($2) - 4) == p && $4 == "01" { n++ } END { print n + 0 }'
}
stop_all() {
  echo "$1" > stop_reason
  SP=$(cat sshd.pid 2>/dev/null || true)
  if [ -n "$SP" ]; then
    for f in /proc/[0-9]*/status; do
      if grep -q "^PPid:[[:space:]]*$SP\\$" "$f" 2>/dev/null; then p=\${f#/proc/}; kill -TERM "\${p%/status}" 2>/dev/null; fi
    done
    kill -TERM "$SP" 2>/dev/null
  fi
  [ -n "\${INIT_PID:-}" ] && kill -TERM -- "-$INIT_PID" "$INIT_PID" 2>/dev/null
  echo stopped > state
  exit 0
}
trap 'stop_all requested' TERM INT
echo init > state
# The init wrapper records the outcome itself, so readiness shows without waiting for the loop's tick.
setsid sh -c 'sh "$1/init.sh" > "$1/init.log" 2>&1 < /dev/null; rc=$?; if [ $rc = 0 ]; then echo ready > "$1/state"; else echo $rc > "$1/init_exit"; echo failed > "$1/state"; fi; echo $rc > "$1/init_rc"' init "$D" &
INIT_PID=$!
while :; do
  NOW=$(date +%s)
  if [ -n "\${INIT_PID:-}" ] && [ -f init_rc ]; then
    RC=$(cat init_rc)
    INIT_PID=""
    if [ "$RC" = 0 ]; then echo ready > state; else echo "$RC" > init_exit; echo failed > state; fi
  fi
  if [ "$(conns)" -gt 0 ]; then LAST_ACTIVE=$NOW; fi
  echo $((NOW - LAST_ACTIVE)) > idle_secs.tmp && mv idle_secs.tmp idle_secs
  LEASE_AT=$(date -r lease +%s 2>/dev/null || echo 0)
  [ -f stop_requested ] && stop_all requested
  if [ "$MAX_DURATION" -gt 0 ] && [ $((NOW - STARTED)) -ge "$MAX_DURATION" ]; then stop_all max_duration; fi
  if [ $((NOW - LEASE_AT)) -gt "$LEASE" ] && [ "$INACTIVITY" -gt 0 ] && [ $((NOW - LAST_ACTIVE)) -ge "$INACTIVITY" ]; then stop_all inactivity; fi
  sleep 1
done
`;

/** The sshd ForceCommand: every session gets the job env (verbatim) and starts in the working dir. */
export const SESSION_SH = `#!/bin/sh
D=$(dirname "$0")
. "$D/job.env"
cd "$DSTACK_WORKING_DIR" 2>/dev/null || cd
case "\${SSH_ORIGINAL_COMMAND:-}" in
  "") exec "\${SHELL:-/bin/sh}" -l ;;
  internal-sftp|*/sftp-server)
    for s in /usr/lib/openssh/sftp-server /usr/libexec/openssh/sftp-server /usr/libexec/sftp-server; do [ -x "$s" ] && exec "$s"; done
    echo "no sftp-server on this host" >&2; exit 1 ;;
  *) exec "\${SHELL:-/bin/sh}" -c "$SSH_ORIGINAL_COMMAND" ;;
esac
`;
