// SSH keys we generate: the client key (ed25519, OpenSSH format, which both ssh2 and `ssh -i` accept;
// node's PKCS8 ed25519 PEM is rejected by ssh2) and host keys for environment sshds.

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { utils } from 'ssh2';
import { writeFileAtomic } from './config/atomic-write';

/** An OpenSSH key pair: the private key file text and the `ssh-ed25519 AAAA... comment` line. */
export interface SshKeyPair {
  privateKey: string;
  publicKey: string;
}

/**
 * Generates a fresh ed25519 key pair that ssh2 itself can read back. ssh2's generator writes an unparseable
 * private key about once in 400 calls ("Malformed OpenSSH private key", seen in CI), so each key is checked
 * and, rarely, generated again.
 */
export function generateKeyPair(comment = 'vscode-dstack'): SshKeyPair {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519', { comment });
    if (!(utils.parseKey(pair.private) instanceof Error)) return { privateKey: pair.private, publicKey: pair.public.trim() };
  }
}

/** The raw public key blob of an OpenSSH public key line or private key text. */
export function publicKeyBlob(key: string | Buffer): Buffer {
  const parsed = utils.parseKey(key);
  if (parsed instanceof Error) throw new Error(`Cannot parse SSH key: ${parsed.message}`);
  const k = Array.isArray(parsed) ? parsed[0] : parsed;
  if (k === undefined) throw new Error('Cannot parse SSH key: no key found');
  return k.getPublicSSH();
}

/** Loads the client key at `file` (and `file.pub`), generating it on first use. */
export async function ensureClientKey(file: string): Promise<SshKeyPair> {
  const existing = await fsp.readFile(file, 'utf8').catch(() => null);
  if (existing !== null) {
    const pub = await fsp.readFile(`${file}.pub`, 'utf8').catch(() => null);
    if (pub !== null) return { privateKey: existing, publicKey: pub.trim() };
    const blob = publicKeyBlob(existing);
    const line = `ssh-ed25519 ${blob.toString('base64')} vscode-dstack`;
    await writeFileAtomic(`${file}.pub`, `${line}\n`, 0o644);
    return { privateKey: existing, publicKey: line };
  }
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const pair = generateKeyPair();
  await writeFileAtomic(file, pair.privateKey, 0o600);
  await writeFileAtomic(`${file}.pub`, `${pair.publicKey}\n`, 0o644);
  return pair;
}
