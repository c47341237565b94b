// Renders the `Host` blocks of our own ssh config. Values are validated so that nothing a run name or a
// host field contains can inject extra ssh_config directives.

/** One `Host` block. */
export interface SshHostBlock {
  alias: string;
  hostName: string;
  port: number;
  user: string;
  /** Our key (absent for a user's own jump host whose key we don't have). */
  identityFile?: string;
  /** Our known_hosts with the pinned key; absent = the user's own known_hosts and defaults. */
  knownHostsFile?: string;
  /** The name the pinned key is stored under; defaults to `alias`. */
  hostKeyAlias?: string;
  proxyJump?: string;
  /** Seconds; default 10 (keeps NATs open and notices a dead link in ~30 s). */
  serverAliveInterval?: number;
}

/** A value that cannot be written safely into ssh_config. */
export class SshConfigValueError extends Error {
  constructor(field: string, value: string, why: string) {
    super(`Cannot write ${field} ${JSON.stringify(value)} into the ssh config: ${why}.`);
    this.name = 'SshConfigValueError';
  }
}

const ALIAS = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Throws unless `alias` is a plain host alias (run names are). */
export function assertAlias(alias: string, field = 'Host'): void {
  if (!ALIAS.test(alias)) throw new SshConfigValueError(field, alias, 'use letters, digits, dots, dashes and underscores only');
}

/** A token value (user, host name): no whitespace, quotes or control characters. */
function token(field: string, value: string): string {
  if (value === '' || /[\s"'\\#%\x00-\x1f\x7f]/.test(value)) throw new SshConfigValueError(field, value, 'it must be one word without quotes, spaces, #, % or control characters');
  return value;
}

/** A file path value: quoted, `%` escaped (ssh expands %-tokens in these options). */
export function quotedPath(field: string, value: string): string {
  if (!value.startsWith('/')) throw new SshConfigValueError(field, value, 'it must be an absolute path');
  if (/["\x00-\x1f\x7f]/.test(value)) throw new SshConfigValueError(field, value, 'it contains a double quote or a control character');
  return `"${value.replace(/%/g, '%%')}"`;
}

/** The lines of one `Host` block (4-space indented options, as dstack writes them). */
export function renderHostBlock(b: SshHostBlock): string[] {
  assertAlias(b.alias);
  if (!Number.isInteger(b.port) || b.port < 1 || b.port > 65535) throw new SshConfigValueError('Port', String(b.port), 'it must be 1-65535');
  const lines = [`Host ${b.alias}`, `    HostName ${token('HostName', b.hostName)}`, `    Port ${b.port}`, `    User ${token('User', b.user)}`];
  if (b.identityFile !== undefined) lines.push(`    IdentityFile ${quotedPath('IdentityFile', b.identityFile)}`, '    IdentitiesOnly yes');
  if (b.knownHostsFile !== undefined) {
    const keyAlias = b.hostKeyAlias ?? b.alias;
    assertAlias(keyAlias, 'HostKeyAlias');
    lines.push(`    UserKnownHostsFile ${quotedPath('UserKnownHostsFile', b.knownHostsFile)}`, `    HostKeyAlias ${keyAlias}`, '    StrictHostKeyChecking yes');
  }
  if (b.proxyJump !== undefined) {
    assertAlias(b.proxyJump, 'ProxyJump');
    lines.push(`    ProxyJump ${b.proxyJump}`);
  }
  lines.push(`    ServerAliveInterval ${b.serverAliveInterval ?? 10}`, '    ServerAliveCountMax 3');
  return lines;
}
