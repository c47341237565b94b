// `env.sh`, sourced by the agent: how the environment starts, runs a script, stops and is measured, in
// bare mode (the host's sshd binary, processes counted by walking /proc) or container mode (podman or
// docker: the image's own sshd on the host network, the agent dir mounted read-only at the same path
// and the repo read-write, everything measured through the container's cgroup). POSIX sh only.

import { DSTACK_DIR, DSTACK_PROFILE } from '../../../orchestrator/job-spec/dev-environment-job';
import { shellQuote } from '../shell-quote';
import type { ContainerSpec } from './container-spec';

/** Labels put on the container, so a restart of the orchestrator finds it. */
export interface ContainerLabels {
  installation: string;
  runName: string;
  instanceId: string;
}

/** The container's name for an instance. */
export function containerName(instanceId: string): string {
  return `dstack-vsc-${instanceId}`;
}

/** Label keys on every container the agent starts. */
export const LABEL_PREFIX = 'dev.dstack-vsc';

/** Bare mode: `env_sample` prints "<cpu usec> <rss bytes>" of the environment's process tree. */
export const BARE_ENV_SH = `# bare mode: the environment runs on the host, in the agent's directory
env_start() {
  SSHD=$(command -v sshd 2>/dev/null || echo /usr/sbin/sshd)
  # sshd run by root needs its privilege separation dir, which only the distro's service unit creates
  if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then mkdir -p /run/sshd && chmod 755 /run/sshd; fi
  "$SSHD" -D -e -f "$D/sshd_config" >> "$D/sshd.log" 2>&1 &
  SP=$!
  echo $SP > "$D/sshd.pid"
  # started means listening: an sshd that exits (bad config, port taken) fails the start with its log
  i=0
  while [ $i -lt 100 ]; do
    kill -0 "$SP" 2>/dev/null || break
    [ "$(conns_listening)" -gt 0 ] && return 0
    sleep 0.1; i=$((i + 1))
  done
  kill -0 "$SP" 2>/dev/null && return 0
  echo "the environment's sshd exited:"
  tail -n 20 "$D/sshd.log"
  return 125
}
env_run() { sh "$1"; }
env_stop() {
  SP=$(cat "$D/sshd.pid" 2>/dev/null || true)
  [ -n "$SP" ] || return 0
  for f in /proc/[0-9]*/status; do
    if grep -q "^PPid:[[:space:]]*$SP\\$" "$f" 2>/dev/null; then p=\${f#/proc/}; kill -TERM "\${p%/status}" 2>/dev/null; fi
  done
  kill -TERM "$SP" 2>/dev/null
  return 0
}
env_sample() {
  tree_usage "$(cat "$D/sshd.pid" 2>/dev/null) $(cat "$D/init.pid" 2>/dev/null)"
}
`;

/** Container mode for `spec`; `dir` is the agent dir (mounted at the same path), `port` the sshd port. */
export function containerEnvSh(spec: ContainerSpec, labels: ContainerLabels, dir: string): string {
  const q = shellQuote;
  const name = containerName(labels.instanceId);
  const flags = [
    '-d', '--name', q(name),
    '--label', q(`${LABEL_PREFIX}.installation=${labels.installation}`),
    '--label', q(`${LABEL_PREFIX}.run=${labels.runName}`),
    '--label', q(`${LABEL_PREFIX}.instance=${labels.instanceId}`),
    '--network', 'host',
    '-v', q(`${dir}:${dir}:ro`), '-v', q(`${dir}/repo:${dir}/repo`),
    '--entrypoint', '/bin/sh',
  ];
  if (spec.privileged) flags.push('--privileged');
  if (spec.shmSizeBytes !== undefined) flags.push('--shm-size', String(spec.shmSizeBytes));
  // The image's own sshd (dstack installs openssh-server when the image has none; exit 11 if it can't).
  const entry = [
    'unset LD_LIBRARY_PATH LD_PRELOAD',
    'S=$(command -v sshd 2>/dev/null); for p in /usr/sbin/sshd /usr/local/sbin/sshd /sbin/sshd; do [ -n "$S" ] || { [ -x "$p" ] && S=$p; }; done',
    'if [ -z "$S" ]; then if command -v apt-get >/dev/null; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server; elif command -v yum >/dev/null; then yum install -y openssh-server; elif command -v apk >/dev/null; then apk add openssh-server; else echo "the image has no sshd and no apt-get/yum/apk to install openssh-server" >&2; exit 11; fi; S=/usr/sbin/sshd; fi',
    'mkdir -p /run/sshd /var/empty; chmod 755 /run/sshd',
    // dstack's runner keeps /dstack/profile (the default image's commands append the venv to it; sessions source it)
    `mkdir -p ${DSTACK_DIR} 2>/dev/null && touch ${DSTACK_PROFILE} 2>/dev/null`,
    `exec "$S" -D -e -f ${q(`${dir}/sshd_config`)}`,
  ].join('\n');
  return `# container mode: ${spec.runtime}, image ${spec.image}
RT=${spec.runtime}
[ "$(id -u)" = 0 ] || RT="sudo -n $RT"
NAME=${q(name)}
IMAGE=${q(spec.image)}
GPUS=${spec.gpus ? 1 : 0}
ENTRY=${q(entry)}
# where the NVIDIA Container Toolkit puts CDI specs, and the device files passed without one
CDI_DIRS="/etc/cdi /var/run/cdi"
DEV_DIR=/dev
# the run's GPU flags: every GPU of the host (docker: --gpus all; podman: the CDI device where a spec exists, else the device files)
gpu_flags() {
  [ "$GPUS" = 1 ] || return 0
  case $RT in
    *docker) echo "--gpus all"; return 0 ;;
  esac
  for c in $CDI_DIRS; do
    if ls "$c"/*nvidia* >/dev/null 2>&1; then echo "--device nvidia.com/gpu=all"; return 0; fi
  done
  f=""
  for d in "$DEV_DIR"/nvidia*; do [ -e "$d" ] && f="$f --device $d"; done
  echo "\${f# }"
}
env_start() {
  # ulimits: runtimes default nofile/nproc to 1048576, which a host without CAP_SYS_RESOURCE refuses: cap them at our hard limits
  U=""
  # (read from /proc: \`ulimit -u\` is not POSIX and dash spells it -p)
  n=$(awk '/^Max open files/ { print $5 }' /proc/self/limits 2>/dev/null); case $n in ''|unlimited|*[!0-9]*) ;; *) [ "$n" -gt 1048576 ] && n=1048576; U="$U --ulimit nofile=$n:$n" ;; esac
  n=$(awk '/^Max processes/ { print $4 }' /proc/self/limits 2>/dev/null); case $n in ''|unlimited|*[!0-9]*) ;; *) [ "$n" -gt 4194304 ] && n=4194304; U="$U --ulimit nproc=$n:$n" ;; esac
  G=$(gpu_flags)
  $RT rm -f "$NAME" >/dev/null 2>&1
  # shellcheck disable=SC2086
  if $RT run $U $G ${flags.join(' ')} "$IMAGE" -c "$ENTRY" > "$D/container.id" 2> "$D/container.err"; then env_started; return; fi
  # podman's default OCI runtime (crun) refuses some hosts (hybrid cgroup v1+v2): retry once with runc where it is installed
  case $RT in
    *podman) if command -v runc >/dev/null 2>&1 && grep -qi 'crun\\|cgroup\\|OCI runtime' "$D/container.err"; then
        echo "crun failed on this host ($(head -c 200 "$D/container.err" | tr '\\n' ' ')); retrying with --runtime runc"
        $RT rm -f "$NAME" >/dev/null 2>&1
        # shellcheck disable=SC2086
        if $RT --runtime runc run $U $G ${flags.join(' ')} "$IMAGE" -c "$ENTRY" > "$D/container.id" 2> "$D/container.err"; then echo runc > "$D/oci_runtime"; env_started; return; fi
      fi ;;
  esac
  cat "$D/container.err"
  return 125
}
# the container keeps running (its sshd started): else its output says why, and the start failed
env_started() {
  i=0
  while [ $i -lt 50 ]; do
    [ "$($RT inspect -f '{{.State.Running}}' "$NAME" 2>/dev/null)" = true ] || break
    [ "$(conns_listening)" -gt 0 ] && return 0
    sleep 0.1; i=$((i + 1))
  done
  [ "$($RT inspect -f '{{.State.Running}}' "$NAME" 2>/dev/null)" = true ] && return 0
  echo "the container exited (code $($RT inspect -f '{{.State.ExitCode}}' "$NAME" 2>/dev/null)):"
  $RT logs "$NAME" 2>&1 | tail -n 20
  return 125
}
env_run() { $RT exec "$NAME" sh "$1" < /dev/null; }
env_stop() {
  $RT rm -f "$NAME" >/dev/null 2>&1 || $RT rm -f "$NAME" >/dev/null 2>&1
  return 0
}
env_sample() {
  P=$($RT inspect -f '{{.State.Pid}}' "$NAME" 2>/dev/null)
  case $P in ''|0|*[!0-9]*) return 1 ;; esac
  cgroup_usage "$P"
}
`;
}
