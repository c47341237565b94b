// Host key pinning in our own known_hosts (OpenSSH format, keyed by HostKeyAlias so that the same file
// serves ssh2 and `ssh -F <our config>`): the first key seen is pinned, a different one is refused.

import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { writeFileAtomic } from './config/atomic-write';
import { withFileLock } from './config/file-lock';

/** The outcome of checking an offered host key (closed). */
export type HostKeyVerdict = 'match' | 'unknown' | 'mismatch';

/** The algorithm name at the start of an SSH public key blob (`ssh-ed25519`, ...). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('ascii');
}

/** OpenSSH's SHA256 fingerprint of a key blob (`SHA256:...`, as `ssh-keygen -l` prints it). */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** A host offered a key that differs from the one pinned for it. */
export class HostKeyChangedError extends Error {
  constructor(readonly alias: string, readonly address: string, readonly pinned: string, readonly offered: string, readonly file: string) {
    super(`The host key of ${alias} (${address}) has changed: pinned ${pinned}, offered ${offered}. ` +
      'This can mean the host was rebuilt, or that someone is intercepting the connection. ' +
      `If you know the host was rebuilt, remove its old key with \`ssh-keygen -R ${alias} -f ${file}\` and connect again.`);
    this.name = 'HostKeyChangedError';
  }
}

/** Our known_hosts file. Lines: `<alias> <type> <base64 key>`. */
export class KnownHosts {
  constructor(readonly file: string, private readonly lockPath: string) {}

  private async lines(): Promise<string[]> {
    return (await fsp.readFile(this.file, 'utf8').catch(() => '')).split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  }

  /** The key blobs pinned for `alias`. */
  async pinned(alias: string): Promise<Buffer[]> {
    const out: Buffer[] = [];
    for (const line of await this.lines()) {
      const [names, , b64] = line.split(/\s+/);
      if (names !== undefined && b64 !== undefined && names.split(',').includes(alias)) out.push(Buffer.from(b64, 'base64'));
    }
    return out;
  }

  /** Compares `blob` with what is pinned for `alias`. */
  async check(alias: string, blob: Buffer): Promise<HostKeyVerdict> {
    const pinned = await this.pinned(alias);
    if (pinned.length === 0) return 'unknown';
    return pinned.some((p) => p.equals(blob)) ? 'match' : 'mismatch';
  }

  /** Pins `blob` for `alias` unless some key is already pinned (first use wins). Returns the verdict before pinning. */
  async verifyOrPin(alias: string, blob: Buffer, address: string): Promise<HostKeyVerdict> {
    return withFileLock(this.lockPath, async () => {
      const pinned = await this.pinned(alias);
      if (pinned.some((p) => p.equals(blob))) return 'match';
      if (pinned.length > 0) throw new HostKeyChangedError(alias, address, fingerprint(pinned[0] as Buffer), fingerprint(blob), this.file);
      await this.writeLines([...(await this.lines()), `${alias} ${keyType(blob)} ${blob.toString('base64')}`]);
      return 'unknown';
    });
  }

  /** Pins a key we generated ourselves (e.g. an environment's sshd host key), replacing any old one. */
  async pin(alias: string, blob: Buffer): Promise<void> {
    await withFileLock(this.lockPath, async () => {
      const kept = (await this.lines()).filter((l) => l.split(/\s+/)[0] !== alias);
      await this.writeLines([...kept, `${alias} ${keyType(blob)} ${blob.toString('base64')}`]);
    });
  }

  /** Removes every key pinned for `alias` (the environment is gone). */
  async forget(alias: string): Promise<void> {
    await withFileLock(this.lockPath, async () => {
      await this.writeLines((await this.lines()).filter((l) => l.split(/\s+/)[0] !== alias));
    });
  }

  private async writeLines(lines: string[]): Promise<void> {
    await writeFileAtomic(this.file, lines.map((l) => `${l}\n`).join(''), 0o600);
  }
}
