#!/bin/bash
# testhosts.sh — real OpenSSH sshd "remote hosts" on this machine, each in its own network namespace,
# for the SSH layer's end-to-end tests and benchmarks. Run as root. Nothing can leave the machine:
# 10.200.0.0/15 is pinned `unreachable` in the root namespace before any link or address is made, and
# the namespaces get no default route (the root namespace's ip_forward is never touched).
#
#   testhosts.sh up NAME IDX        host at 10.201.$TH_NET.(10+IDX) on bridge ${TH_PREFIX}br
#                                   env: TH_PUBKEY (authorized key file, required), TH_GPUS (a TSV table:
#                                   the host gets the fake nvidia-smi serving it)
#   testhosts.sh isolated NAME VIA  host reachable only from inside host VIA, at 10.201.$((TH_NET+1)).2 (ProxyJump tests)
#   testhosts.sh hostkey NAME       prints NAME's public host key
#   testhosts.sh fault NAME drop|reject|down|heal
#   testhosts.sh down               kills every host of this prefix, deletes its namespaces and links (idempotent)
#   testhosts.sh install            apt packages (openssh-server openssh-client iproute2 iptables)
#
# TH_PREFIX (default dvt, <= 5 chars) and TH_NET (default 77) keep concurrent runs apart; TH_WORK holds
# keys, configs and logs (default /tmp/$TH_PREFIX-hosts). Each host has its own mount/uts/pid namespaces:
# its own /root (a clean HOME: this machine's root .bashrc is slow), /etc/hosts, hostname and
# /usr/local/sbin; sshd is PID 1 of its pid namespace, so killing the `unshare` kills the whole host.
set -euo pipefail
P=${TH_PREFIX:-dvt}
NET=${TH_NET:-77}
W=${TH_WORK:-/tmp/$P-hosts}
SELF_DIR=$(cd "$(dirname "$0")" && pwd)
BR=${P}br
SUBNET=10.201.$NET
ISO=10.201.$((NET + 1))

case $NET in ''|*[!0-9]*) echo "TH_NET must be a number" >&2; exit 2 ;; esac
[ "$NET" -ge 1 ] && [ "$NET" -le 250 ] || { echo "TH_NET must be 1..250" >&2; exit 2; }
[ ${#P} -le 5 ] || { echo "TH_PREFIX must be at most 5 characters (interface names are limited to 15)" >&2; exit 2; }

guard() {   # first, always: a misrouted 10.200/10.201 packet fails here instead of following the default route
  ip route replace unreachable 10.200.0.0/15
}

write_sshd_config() {   # DIR
  cat > "$1/sshd_config" <<CFG
Port 22
ListenAddress 0.0.0.0
HostKey $1/ssh_host_ed25519_key
PidFile none
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
AllowTcpForwarding yes
ClientAliveInterval 5
ClientAliveCountMax 3
MaxStartups 100:30:200
MaxSessions 50
Subsystem sftp internal-sftp
LogLevel VERBOSE
CFG
}

prepare_host_dir() {   # NAME DIR
  local D=$2
  [ -n "${TH_PUBKEY:-}" ] && [ -f "$TH_PUBKEY" ] || { echo "set TH_PUBKEY to an authorized public key file" >&2; exit 2; }
  mkdir -p "$D/root/.ssh" "$D/sbin"; chmod 700 "$D/root" "$D/root/.ssh"
  cat "$TH_PUBKEY" > "$D/root/.ssh/authorized_keys"; chmod 600 "$D/root/.ssh/authorized_keys"
  [ -f "$D/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C "$1" -f "$D/ssh_host_ed25519_key"
  write_sshd_config "$D"
  mkdir -p /run/sshd; chmod 755 /run/sshd   # else sshd: "Missing privilege separation directory"
}

start_sshd() {   # NAME NS DIR
  local NAME=$1 NS=$2 D=$3
  printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$NAME" > "$D/hosts"
  ip netns exec "$NS" unshare --mount --uts --pid --fork --kill-child --mount-proc --propagation private \
    sh -c "mount --bind '$D/hosts' /etc/hosts && mount --bind '$D/root' /root && mount --bind '$D/sbin' /usr/local/sbin && hostname '$NAME' && exec /usr/sbin/sshd -D -e -f '$D/sshd_config'" \
    > "$D/sshd.log" 2>&1 < /dev/null &
  local PID=$!; echo $PID > "$D/host.pid"
  for _ in $(seq 1 200); do
    kill -0 $PID 2>/dev/null || { echo "host $NAME died:" >&2; cat "$D/sshd.log" >&2; return 1; }
    if ip netns exec "$NS" bash -c 'exec 3<>/dev/tcp/127.0.0.1/22' 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "sshd of $NAME did not come up:" >&2; cat "$D/sshd.log" >&2; return 1
}

cmd_up() {
  local NAME=$1 IDX=$2; local NS=$P-$NAME IP=$SUBNET.$((10 + IDX)) D=$W/hosts/$NAME VETH=$P$NAME
  [ ${#VETH} -le 14 ] || { echo "host name $NAME too long for an interface name" >&2; exit 2; }
  guard
  if [ -f "$D/host.pid" ] && kill -0 "$(cat "$D/host.pid")" 2>/dev/null; then echo "$NAME $IP"; return 0; fi
  prepare_host_dir "$NAME" "$D"
  if [ -n "${TH_GPUS:-}" ]; then cp "$SELF_DIR/fake-nvidia-smi" "$D/sbin/nvidia-smi"; cp "$TH_GPUS" "$D/sbin/fake-gpus.tsv"; chmod 755 "$D/sbin/nvidia-smi"; fi
  if ! ip link show "$BR" >/dev/null 2>&1; then
    if ip -4 route show "$SUBNET.0/24" | grep -q .; then echo "$SUBNET.0/24 is already in use on this machine: pick another TH_NET" >&2; exit 2; fi
    ip link add "$BR" type bridge; ip addr add "$SUBNET.1/24" dev "$BR"; ip link set "$BR" up
  fi
  [ -e "/run/netns/$NS" ] || ip netns add "$NS"
  if ! ip link show "${VETH}v" >/dev/null 2>&1; then
    ip link add "${VETH}v" type veth peer name eth0 netns "$NS"
    ip link set "${VETH}v" master "$BR" up
    ip -n "$NS" addr add "$IP/24" dev eth0; ip -n "$NS" link set eth0 up; ip -n "$NS" link set lo up
  fi
  start_sshd "$NAME" "$NS" "$D"
  echo "$NAME $IP"
}

cmd_isolated() {
  local NAME=$1 VIA=$2; local NS=$P-$NAME D=$W/hosts/$NAME UP=u$P$NAME
  guard
  [ -e "/run/netns/$P-$VIA" ] || { echo "host $VIA is not up" >&2; exit 2; }
  prepare_host_dir "$NAME" "$D"
  [ -e "/run/netns/$NS" ] || ip netns add "$NS"
  if ! ip -n "$P-$VIA" link show "$UP" >/dev/null 2>&1; then
    ip link add "$UP" netns "$P-$VIA" type veth peer name eth0 netns "$NS"
    ip -n "$P-$VIA" addr add "$ISO.1/24" dev "$UP"; ip -n "$P-$VIA" link set "$UP" up
    ip -n "$NS" addr add "$ISO.2/24" dev eth0; ip -n "$NS" link set eth0 up; ip -n "$NS" link set lo up
  fi
  start_sshd "$NAME" "$NS" "$D"
  echo "$NAME $ISO.2 (only via $VIA)"
}

cmd_fault() {   # netem is absent on this kernel: iptables inside the host's namespace, or the link
  local NS=$P-$1
  case $2 in
    drop)   ip netns exec "$NS" iptables -I INPUT -p tcp --dport 22 -j DROP ;;
    reject) ip netns exec "$NS" iptables -I INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset ;;
    down)   ip link set "$P${1}v" down ;;
    heal)   ip netns exec "$NS" iptables -F INPUT; ip link set "$P${1}v" up 2>/dev/null || true ;;
    *) echo "fault: drop|reject|down|heal" >&2; exit 2 ;;
  esac
}

cmd_down() {
  local f p ns
  for f in "$W"/hosts/*/host.pid; do [ -f "$f" ] || continue; kill -KILL "$(cat "$f")" 2>/dev/null || true; rm -f "$f"; done
  for ns in /run/netns/"$P"-*; do
    [ -e "$ns" ] || continue; ns=$(basename "$ns")
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  ip link del "$BR" 2>/dev/null || true
  # The guard route stays: it only ever makes the test range unreachable, and other runs may rely on it.
}

cmd_install() {
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  command -v sshd >/dev/null && command -v ip >/dev/null && command -v iptables >/dev/null && command -v ssh >/dev/null && return 0
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server openssh-client iproute2 iptables >/dev/null
}

c=${1:-}; shift || true
case $c in
  up) cmd_up "$@" ;; isolated) cmd_isolated "$@" ;; fault) cmd_fault "$@" ;; down) cmd_down ;; install) cmd_install ;;
  hostkey) cat "$W/hosts/$1/ssh_host_ed25519_key.pub" ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
