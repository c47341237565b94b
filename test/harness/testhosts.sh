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
#   testhosts.sh guard              pins 10.200.0.0/15 unreachable in the root namespace (npm test does it before any layer),
#                                   and every address the test data names (but this machine's own, gateways, name servers)
#   testhosts.sh data-addresses     lists those addresses
#   testhosts.sh install [containers]  apt packages (openssh-server openssh-client iproute2 iptables; + podman runc crun ...)
#   testhosts.sh image              builds the tiny container image localhost/dvs-mini:latest from this machine's own
#                                   binaries (sshd, sh, coreutils, tar, ...; no download) into the shared read-only store
#                                   $TH_IMGSTORE (default /opt/dvs-podman-store), once: later calls reuse it; and a
#                                   stand-in for dstack's default image under its name (+ python3, stand-in uv and sudo)
#
# TH_CONTAINERS=1 with `up`: the host gets a working podman with its own storage (images come from the shared
# store), its own /run and /dev/shm, and the machine's cgroup layout (TH_BROKEN_CRUN=1: its crun refuses to create
# containers, as on hybrid-cgroup machines). Without it, podman and docker are hidden on the host (so the agent's
# probe sees no runtime and the host runs environments in bare mode).
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
IMGSTORE=${TH_IMGSTORE:-/opt/dvs-podman-store}
IMAGE=localhost/dvs-mini:latest

case $NET in ''|*[!0-9]*) echo "TH_NET must be a number" >&2; exit 2 ;; esac
[ "$NET" -ge 1 ] && [ "$NET" -le 250 ] || { echo "TH_NET must be 1..250" >&2; exit 2; }
[ ${#P} -le 5 ] || { echo "TH_PREFIX must be at most 5 characters (interface names are limited to 15)" >&2; exit 2; }

guard() {   # first, always: a misrouted 10.200/10.201 packet fails here instead of following the default route
  ip route replace unreachable 10.200.0.0/15
  local a keep
  keep=" $(kept_addresses | tr '\n' ' ') "
  for a in $(data_addresses); do
    case "$keep" in *" $a "*) ;; *) ip route replace unreachable "$a/32" ;; esac
  done
}

# data_addresses: every IPv4 address written anywhere under test/ (dstack's fleet examples name real hosts such as
# 3.255.177.51, and private ones such as 10.0.0.1) but loopback, 0.0.0.0/8, the test subnet and multicast. `guard`
# pins each one unreachable, so not even a test's ssh or shell (which the tests' Node guard does not see) could
# send it a packet.
data_addresses() {
  grep -rhoE '(^|[^0-9.])([0-9]{1,3}\.){3}[0-9]{1,3}($|[^0-9.])' "$SELF_DIR/.." | grep -oE '([0-9]{1,3}\.){3}[0-9]{1,3}' \
    | awk -F. '$1 >= 1 && $1 <= 223 && $1 != 127 && $2 <= 255 && $3 <= 255 && $4 <= 255 && !($1 == 10 && ($2 == 200 || $2 == 201))' | sort -u
}

# kept_addresses: what this machine itself needs and `guard` never pins: its own addresses, its gateways, its name servers.
kept_addresses() {
  ip -4 -o addr show | awk '{ split($4, a, "/"); print a[1] }'
  ip -4 route show | awk '{ for (i = 1; i < NF; i++) if ($i == "via") print $(i + 1) }'
  awk '$1 == "nameserver" { print $2 }' /etc/resolv.conf 2>/dev/null || true
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

containers_prelude() {   # DIR: per-host podman (own storage, /run, /dev/shm, cgroups), or podman/docker hidden
  local D=$1 PRE="" b
  if [ "${TH_CONTAINERS:-0}" = 1 ]; then
    mkdir -p "$D/containers" "$D/etc-containers"; cp -a /etc/containers/. "$D/etc-containers/" 2>/dev/null || true
    printf '[storage]\ndriver = "overlay"\ngraphroot = "/var/lib/containers/storage"\nrunroot = "/run/containers/storage"\n[storage.options]\nadditionalimagestores = ["%s"]\n' "$IMGSTORE/root" > "$D/etc-containers/storage.conf"
    # no systemd or journald in a test host; ulimits and the OCI runtime are left to the agent (it must cope)
    printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n[network]\nnetwork_backend = "netavark"\n' > "$D/etc-containers/containers.conf"
    mkdir -p /var/lib/containers /etc/containers
    PRE="mount --bind '$D/containers' /var/lib/containers && mount --bind '$D/etc-containers' /etc/containers"
    PRE="$PRE && mount -t tmpfs -o mode=755 tmpfs /run && mkdir -p /run/sshd && mount -t tmpfs -o mode=1777 tmpfs /dev/shm"
    # `ip netns exec` remounts /sys, so the cgroup mounts are gone: mount this machine's layout again (hybrid v1 + unified)
    PRE="$PRE && mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup && for c in \$(awk 'NR > 1 && \$4 == 1 { print \$1 }' /proc/cgroups); do mkdir -p /sys/fs/cgroup/\$c && mount -t cgroup -o \$c cgroup /sys/fs/cgroup/\$c; done"
    if grep -q ' /sys/fs/cgroup/unified cgroup2 ' /proc/mounts; then PRE="$PRE && mkdir -p /sys/fs/cgroup/unified && mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified"; fi
    if [ "${TH_BROKEN_CRUN:-0}" = 1 ] && b=$(command -v crun); then
      # a crun that refuses to create containers the way it does on hybrid-cgroup machines (everything else works)
      cp "$b" "$D/crun-real"
      printf '#!/bin/sh\ncase " $* " in *" create "*|*" run "*) echo "crun: this test host refuses hybrid cgroups (TH_BROKEN_CRUN)" >&2; exit 1 ;; esac\nexec %s "$@"\n' "$D/crun-real" > "$D/crun-broken"
      chmod 755 "$D/crun-broken"
      PRE="$PRE && mount --bind '$D/crun-broken' '$b'"
    fi
  else
    for b in podman docker; do
      b=$(command -v $b 2>/dev/null) || continue
      PRE="${PRE:+$PRE && }mount --bind /dev/null '$b'"
    done
  fi
  printf '%s' "$PRE"
}

start_sshd() {   # NAME NS DIR
  local NAME=$1 NS=$2 D=$3 EXTRA
  printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$NAME" > "$D/hosts"
  EXTRA=$(containers_prelude "$D")
  ip netns exec "$NS" unshare --mount --uts --pid --fork --kill-child --mount-proc --propagation private \
    sh -c "mount --bind '$D/hosts' /etc/hosts && mount --bind '$D/root' /root && mount --bind '$D/sbin' /usr/local/sbin && hostname '$NAME'${EXTRA:+ && $EXTRA} && exec /usr/sbin/sshd -D -e -f '$D/sshd_config'" \
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
  local pk="openssh-server openssh-client iproute2 iptables" want=0
  command -v sshd >/dev/null && command -v ip >/dev/null && command -v iptables >/dev/null && command -v ssh >/dev/null || want=1
  # netavark named: with --no-install-recommends apt would pick the CNI plugins instead
  # python3: the default-image stand-in carries this machine's (for its venv)
  if [ "${1:-}" = containers ]; then pk="$pk podman crun runc conmon netavark aardvark-dns fuse-overlayfs catatonit python3"; command -v podman >/dev/null && command -v runc >/dev/null && [ -x /usr/bin/python3 ] || want=1; fi
  [ $want = 1 ] || return 0
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pk >/dev/null
}

mini_rootfs() {   # DIR: the tiny image's root file system, from this machine's own binaries
  local R=$1 f p b libs
  mkdir -p "$R"/etc/ssh "$R"/run/sshd "$R"/root "$R"/tmp "$R"/var/empty "$R"/proc "$R"/sys "$R"/dev "$R"/home
  chmod 1777 "$R/tmp"; chmod 700 "$R/root"
  for d in bin sbin lib lib64; do if [ -L /$d ]; then mkdir -p "$R/usr/$d"; ln -s usr/$d "$R/$d"; fi; done
  local files=()
  for b in sh dash bash ls cat cp mv rm mkdir rmdir ln chmod chown touch env id hostname uname nproc df sleep sha256sum \
           find xargs sort head tail wc grep sed awk mawk tar gzip cut tr tee date stat readlink dirname basename true false \
           ps kill sshd ssh-keygen which du printf getconf base64 setsid; do
    p=$(type -P $b 2>/dev/null || true); [ -n "$p" ] && files+=("$p" "$(readlink -f "$p")")
  done
  for p in /usr/lib/openssh/sftp-server /usr/lib/openssh/sshd-session /usr/lib/openssh/sshd-auth; do [ -e "$p" ] && files+=("$p"); done
  copy_with_libs "$R" "${files[@]}"
  printf 'root:x:0:0:root:/root:/bin/sh\nsshd:x:100:65534::/run/sshd:/usr/sbin/nologin\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n' > "$R/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$R/etc/group"
  printf 'root:*:19000:0:99999:7:::\nsshd:*:19000:0:99999:7:::\n' > "$R/etc/shadow"; chmod 640 "$R/etc/shadow"
  printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' > "$R/etc/nsswitch.conf"
  printf 'PRETTY_NAME="dvs-mini"\nID=dvs-mini\n' > "$R/etc/os-release"
  # Never cache an image without sshd (this machine had no openssh-server yet): every container test would fail later.
  [ -x "$R$(type -P sshd 2>/dev/null || echo /usr/sbin/sshd)" ] || { rm -rf "$R"; echo "image: no sshd on this machine to copy (testhosts.sh install)" >&2; exit 2; }
}

copy_with_libs() {   # ROOT FILE...: the files (and where their links point) with the shared libraries they load
  local R=$1 f p libs; shift
  libs=$(for f in "$@"; do ldd "$f" 2>/dev/null | awk '/=> \//{print $3} /^\t\//{print $1}'; done | sort -u)
  for f in "$@" $libs; do
    [ -e "$f" ] || continue
    mkdir -p "$R$(dirname "$f")"; cp -a "$f" "$R$f" 2>/dev/null || true
    p=$(readlink -f "$f"); mkdir -p "$R$(dirname "$p")"; cp -a "$p" "$R$p" 2>/dev/null || true
  done
}

# The stand-in for dstack's default image (same name, so the agent's default-image path runs unchanged): the tiny
# image plus this machine's python3 and two STAND-INS, since nothing can be downloaded here: `uv` (only `uv venv`,
# made with python3's venv module; the -p version is recorded in /tmp/uv-stand-in.log, not installed) and `sudo`
# (the container runs as root: it runs the command as is). Bump STANDIN_VERSION when this changes (the store is cached).
STANDIN_IMAGE=docker.io/dstackai/base:0.15-base-ubuntu24.04
STANDIN_VERSION=1
standin_rootfs() {   # DIR (holding the tiny image's root already)
  local R=$1 py std
  py=$(readlink -f /usr/bin/python3 2>/dev/null) || { echo "image: no /usr/bin/python3 on this machine for the default-image stand-in (testhosts.sh install containers)" >&2; return 2; }
  std=$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')
  copy_with_libs "$R" "$py" "$std"/lib-dynload/*.so
  ln -sf "$(basename "$py")" "$R/usr/bin/python3"
  tar -C / --exclude=test --exclude=__pycache__ --exclude=idlelib --exclude=tkinter --exclude=turtledemo -cf - "${std#/}" | tar -C "$R" -xf -
  [ -d "/etc/$(basename "$std")" ] && cp -a "/etc/$(basename "$std")" "$R/etc/"
  mkdir -p "$R/usr/local/bin"
  cat > "$R/usr/local/bin/uv" <<'UV'
#!/bin/sh
# STAND-IN for uv (test image only): `uv venv [-q] [--prompt P] [-p PY] [--seed] DIR` makes DIR with python3's
# venv module; PY is recorded in /tmp/uv-stand-in.log, not installed. Anything else fails as if uv could not do it.
echo "uv $*" >> /tmp/uv-stand-in.log
[ "${1:-}" = venv ] || { echo "uv stand-in: only 'uv venv' is supported" >&2; exit 2; }
shift; prompt=""; dir=""
while [ $# -gt 0 ]; do
  case $1 in --prompt) prompt=$2; shift ;; -p|--python) shift ;; -q|--seed) ;; *) dir=$1 ;; esac
  shift
done
exec python3 -m venv --without-pip ${prompt:+--prompt "$prompt"} "$dir"
UV
  printf '#!/bin/sh\n# STAND-IN for sudo (test image only; the container runs as root): runs the command as is.\nexec "$@"\n' > "$R/usr/bin/sudo"
  chmod 755 "$R/usr/local/bin/uv" "$R/usr/bin/sudo"
  printf 'PRETTY_NAME="dvs-mini stand-in for %s"\nID=dvs-mini\n' "$STANDIN_IMAGE" > "$R/etc/os-release"
}

cmd_image() {   # the tiny image and the default-image stand-in, built once into the shared store from this machine's binaries (no network)
  local S="podman --root $IMGSTORE/root --runroot $IMGSTORE/run --storage-driver overlay" t0 R
  command -v podman >/dev/null || { echo "podman is not installed (testhosts.sh install containers)" >&2; exit 2; }
  local have_mini=0 have_standin=0
  $S image exists "$IMAGE" 2>/dev/null && have_mini=1
  [ "$($S image inspect -f '{{index .Labels "dvs.standin"}}' "$STANDIN_IMAGE" 2>/dev/null)" = "$STANDIN_VERSION" ] && have_standin=1
  if [ $have_mini = 1 ] && [ $have_standin = 1 ]; then echo "$IMAGE and $STANDIN_IMAGE cached in $IMGSTORE"; return 0; fi
  t0=$(date +%s.%N)
  mkdir -p "$IMGSTORE"; R=$(mktemp -d "$IMGSTORE/rootfs.XXXXXX")
  mini_rootfs "$R"
  [ $have_mini = 1 ] || tar -C "$R" -c . | $S import - "$IMAGE" >/dev/null
  # without the stand-in only the default-image test fails (saying why); every other container test still runs
  if [ $have_standin = 0 ] && standin_rootfs "$R"; then
    $S rmi -f "$STANDIN_IMAGE" >/dev/null 2>&1 || true
    tar -C "$R" -c . | $S import --change "LABEL=dvs.standin=$STANDIN_VERSION" - "$STANDIN_IMAGE" >/dev/null
  fi
  rm -rf "$R"
  echo "$IMAGE and $STANDIN_IMAGE built in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s ($(du -sh "$IMGSTORE/root" | cut -f1) store)"
}

c=${1:-}; shift || true
case $c in
  guard) guard ;;
  data-addresses) data_addresses ;;
  up) cmd_up "$@" ;; isolated) cmd_isolated "$@" ;; fault) cmd_fault "$@" ;; down) cmd_down ;; install) cmd_install "$@" ;; image) cmd_image ;;
  hostkey) cat "$W/hosts/$1/ssh_host_ed25519_key.pub" ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
