// The watchdogs that keep an EC2 instance from costing money once no orchestrator looks after it. Both run
// detached on the instance (POSIX sh) and power it off, which RunInstances' shutdown behaviour `terminate` turns
// into the end of the instance and its billing; only on a machine cloud-init booted (never on a shared test host).
// - `watch <agent dir>`, beside a run's agent: powers off when the agent stopped itself (inactivity or
//   max_duration, i.e. no orchestrator renewed its lease). A requested stop leaves the instance alone.
// - `idle <idle dir>`, on an instance kept idle after its run: powers off once the idle duration has passed and
//   the orchestrator's lease (a file it touches on every pass) has not been renewed for the lease time; it exits
//   without acting when a new job takes the instance (the directory goes) or a new idle period replaces it.

import { shellQuote } from '../ssh/shell-quote';

/** Powers the machine off where cloud-init booted it ($CLOUD is its marker directory). */
const POWER_OFF = '[ -d "$CLOUD" ] && { sudo -n shutdown -h now || shutdown -h now; }';

/** `watch <agent dir> [<cloud-init marker>]`: power off when the agent stopped itself. */
export const POWER_OFF_WATCHER = `D=$1
CLOUD=\${2:-/var/lib/cloud/instance}
i=0; while [ ! -f "$D/agent.pid" ] && [ $i -lt 60 ]; do sleep 1; i=$((i+1)); done
while P=$(cat "$D/agent.pid" 2>/dev/null) && kill -0 "$P" 2>/dev/null; do sleep 5; done
case "$(cat "$D/stop_reason" 2>/dev/null)" in
  inactivity|max_duration) ${POWER_OFF} ;;
esac
exit 0
`;

/**
 * `idle <idle dir> [<cloud-init marker>]`: the directory's `params` hold IDLE (seconds), LEASE (seconds), POLL
 * (seconds between checks) and TOKEN (this idle period); its `lease` file is touched by the orchestrator.
 */
export const IDLE_POWER_OFF_WATCHER = `D=$1
CLOUD=\${2:-/var/lib/cloud/instance}
. "$D/params" || exit 0
GEN=$TOKEN
SINCE=$(date +%s)
mine() { grep -qx "TOKEN=$GEN" "$D/params" 2>/dev/null; }
while :; do
  sleep "$POLL"
  mine || exit 0
  NOW=$(date +%s)
  LEASE_AT=$(date -r "$D/lease" +%s 2>/dev/null) || exit 0
  if [ $((NOW - LEASE_AT)) -gt "$LEASE" ] && [ $((NOW - SINCE)) -ge "$IDLE" ]; then
    mine && ${POWER_OFF}
    exit 0
  fi
done
`;

/** The idle directory beside an instance's agent directory (not an instance id: ids have no dots). */
export function idleDirOf(agentDir: string): string {
  return `${agentDir}.idle`;
}

/** What the idle watchdog is told. */
export interface IdleParams {
  /** Seconds the instance is kept idle; negative (`off`): kept until stopped by hand, no watchdog. */
  idleSecs: number;
  /** Seconds after the orchestrator's last renewal when it counts as gone. */
  leaseSecs: number;
  /** A token naming this idle period. */
  token: string;
  /** Seconds between checks (default 5). */
  pollSecs?: number;
}

/**
 * The shell that ends a run on its instance and keeps the machine idle: kills what is left of the run (any
 * process carrying its DSTACK_RUN_ID, e.g. something started with nohup in a session), then writes the idle
 * directory and starts its watchdog. Run after the agent itself was stopped (HostAgent.stop).
 */
export function idleScript(agentDir: string, runId: string, p: IdleParams): string {
  const d = shellQuote(idleDirOf(agentDir));
  const params = `IDLE=${Math.floor(p.idleSecs)}\nLEASE=${Math.floor(p.leaseSecs)}\nPOLL=${Math.max(1, Math.floor(p.pollSecs ?? 5))}\nTOKEN=${p.token.replace(/[^A-Za-z0-9_-]/g, '')}\n`;
  return [
    // (GNU grep, as on the Ubuntu images: -z reads each environ as NUL-separated entries, -l names the files that match)
    `for e in $(grep -lzxF ${shellQuote(`DSTACK_RUN_ID=${runId}`)} /proc/[0-9]*/environ 2>/dev/null); do q=\${e#/proc/}; q=\${q%/environ}; [ "$q" = "$$" ] || kill -KILL "$q" 2>/dev/null; done`,
    `rm -rf ${d} && mkdir -p ${d} && chmod 700 ${d} && printf %s ${shellQuote(params)} > ${d}/params && touch ${d}/lease || exit 1`,
    ...(p.idleSecs >= 0 ? [`setsid sh -c ${shellQuote(IDLE_POWER_OFF_WATCHER)} idle ${d} > /dev/null 2>&1 < /dev/null &`] : []),
    'exit 0',
  ].join('\n');
}

/** Renews the orchestrator's lease on an idle instance (nothing when the idle directory is gone). */
export function renewIdleScript(agentDir: string): string {
  const d = shellQuote(idleDirOf(agentDir));
  return `[ -d ${d} ] && touch ${d}/lease; exit 0`;
}
