// The pod's command: a POSIX-sh bootstrap that installs the orchestrator-generated host key and the run's
// authorized key, makes sure an OpenSSH server exists (installing it with the image's package manager when
// the image lacks one) and runs it in the foreground on the pod's SSH port. Everything else (job files, code,
// init, the environment's sshd, activity) is the host agent's work, done over SSH through the port-forward.

/** Env names the bootstrap reads, filled from the pod's Secret (the host key is removed from the environment before sshd starts). */
export const ENV_AUTHORIZED_KEY = 'DSTACK_VSC_AUTHORIZED_KEY';
export const ENV_HOST_KEY = 'DSTACK_VSC_HOST_KEY';

/** The shell script run as `sh -c <script>` in the pod's container. */
export function bootstrapScript(sshPort: number): string {
  return [
    'set -e',
    'umask 077',
    'mkdir -p /root/.ssh /etc/dstack-vsc /run/sshd',
    `printf '%s\\n' "$${ENV_AUTHORIZED_KEY}" > /root/.ssh/authorized_keys`,
    `printf '%s\\n' "$${ENV_HOST_KEY}" > /etc/dstack-vsc/host_key`,
    `unset ${ENV_HOST_KEY}`,
    'SSHD=$(command -v sshd || true); [ -n "$SSHD" ] || [ ! -x /usr/sbin/sshd ] || SSHD=/usr/sbin/sshd',
    'if [ -z "$SSHD" ]; then',
    '  echo "dstack-vsc: installing openssh-server (the image has no sshd)" >&2',
    '  if command -v apt-get >/dev/null; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/dev/null;',
    '  elif command -v apk >/dev/null; then apk add --no-cache openssh-server >/dev/null;',
    '  elif command -v dnf >/dev/null; then dnf install -y -q openssh-server;',
    '  elif command -v yum >/dev/null; then yum install -y -q openssh-server;',
    '  else echo "dstack-vsc: the image has no sshd and no known package manager: use an image with openssh-server" >&2; exit 127; fi',
    '  SSHD=/usr/sbin/sshd',
    'fi',
    `exec "$SSHD" -D -e -p ${sshPort} -h /etc/dstack-vsc/host_key -o PasswordAuthentication=no -o PermitRootLogin=prohibit-password -o AuthorizedKeysFile=/root/.ssh/authorized_keys -o AllowTcpForwarding=yes -o ClientAliveInterval=30`,
  ].join('\n');
}
