// SSH connections with ssh2: keys, ProxyJump through other hosts (forwardOut), keepalive, and host keys
// pinned on first use in our own known_hosts.

import { promises as fsp } from 'node:fs';
import { Client, type ClientChannel, type ConnectConfig, type HostVerifier, type PublicKeyAuthMethod } from 'ssh2';
import type { Duplex } from 'node:stream';
import { HostKeyChangedError, type KnownHosts, fingerprint } from './known-hosts';
import { runCommand, type ExecOptions, type ExecResult } from './exec';

/** Where and as whom to connect. */
export interface SshTarget {
  host: string;
  port: number;
  user: string;
  /** Private keys to try in order (ours first, then the user's identity files). */
  privateKeys: Array<string | Buffer>;
  /** The name the host key is pinned under (the ssh config's HostKeyAlias); default `[host]:port`. */
  hostKeyAlias?: string;
  /** Reach this host through another one (ProxyJump), which may itself have a jump. */
  jump?: SshTarget;
}

/** Connection behaviour shared by every hop. */
export interface ConnectOptions {
  knownHosts: KnownHosts;
  /** ms between keepalives; 3 unanswered ones drop the connection. Default 5000. */
  keepaliveIntervalMs?: number;
  readyTimeoutMs?: number;
  /** Called when a host key is pinned for the first time. */
  onPinned?: (alias: string, fingerprint: string) => void;
}

/** Failure codes of `connectSsh` (closed). */
export type SshConnectErrorCode = 'host_key_changed' | 'auth' | 'unreachable' | 'timeout' | 'jump' | 'error';

/** A connection failure, naming the host and what to do. */
export class SshConnectError extends Error {
  constructor(readonly code: SshConnectErrorCode, message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'SshConnectError';
  }
}

/** `[host]:port` or the configured alias: the key a host's key is pinned under. */
export function hostKeyName(t: SshTarget): string {
  return t.hostKeyAlias ?? (t.port === 22 ? t.host : `[${t.host}]:${t.port}`);
}

function describe(t: SshTarget): string {
  return `${t.user}@${t.host}:${t.port}${t.jump ? ` via ${describe(t.jump)}` : ''}`;
}

/** An open SSH connection (and the jump connections under it). */
export class SshConnection {
  constructor(readonly client: Client, readonly target: SshTarget, private readonly jump: SshConnection | null) {}

  /** Runs `command` through the login shell; output streamed to the callbacks and captured. */
  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return runCommand(this.client, command, options);
  }

  /** Opens a raw exec channel (for streaming uploads). */
  channel(command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, ch) => (err ? reject(err) : resolve(ch)));
    });
  }

  /** Opens a TCP stream to `host:port` as seen from this host (what `ssh -L` and ProxyJump use). */
  forward(host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      this.client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => (err ? reject(err) : resolve(stream)));
    });
  }

  /** Closes this connection and its jump hosts (the sockets too: a peer that stopped answering can't hold them open). */
  close(): void {
    // destroy only: ssh2's destroy() is a no-op once end() made the socket unwritable, and an ended socket to a
    // blackholed peer never finishes closing (FIN_WAIT1), keeping the process alive.
    this.client.destroy();
    this.jump?.close();
  }
}

/** Reads the user's identity files, skipping the ones that don't exist. */
export async function readIdentityFiles(files: readonly string[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const f of files) {
    const b = await fsp.readFile(f).catch(() => null);
    if (b !== null) out.push(b);
  }
  return out;
}

function classify(err: Error & { level?: string; code?: string }, target: SshTarget): SshConnectError {
  const where = describe(target);
  if (err.level === 'client-authentication') {
    return new SshConnectError('auth', `SSH authentication to ${where} failed with the ${target.privateKeys.length} key(s) tried. Check that the public key is in ~${target.user === 'root' ? 'root' : `/${target.user}`}/.ssh/authorized_keys on ${target.host}, or set identity_file.`, err);
  }
  if (err.level === 'client-timeout' || /Timed out/i.test(err.message)) return new SshConnectError('timeout', `SSH connection to ${where} timed out (${err.message}). Check that the host is up and port ${target.port} is reachable.`, err);
  if (err.code === 'ECONNREFUSED' || err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH' || err.code === 'ENOTFOUND' || err.level === 'client-socket') {
    return new SshConnectError('unreachable', `Cannot reach ${where}: ${err.message}. Check the host name, port ${target.port} and that sshd is running.`, err);
  }
  return new SshConnectError('error', `SSH connection to ${where} failed: ${err.message}`, err);
}

function connectOne(target: SshTarget, options: ConnectOptions, sock: Duplex | undefined): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const alias = hostKeyName(target);
    let keyError: HostKeyChangedError | null = null;
    const hostVerifier: HostVerifier = (key, verify) => {
      options.knownHosts.verifyOrPin(alias, key, `${target.host}:${target.port}`).then((verdict) => {
        if (verdict === 'unknown') options.onPinned?.(alias, fingerprint(key));
        verify(true);
      }, (e: unknown) => {
        if (e instanceof HostKeyChangedError) keyError = e;
        verify(false);
      });
    };
    const auth: PublicKeyAuthMethod[] = target.privateKeys.map((key) => ({ type: 'publickey', username: target.user, key }));
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.user,
      hostVerifier,
      authHandler: auth,
      keepaliveInterval: options.keepaliveIntervalMs ?? 5000,
      keepaliveCountMax: 3,
      readyTimeout: options.readyTimeoutMs ?? 15_000,
    };
    if (sock) config.sock = sock;
    let settled = false;
    client.once('ready', () => { settled = true; resolve(client); });
    client.on('error', (err: Error) => {
      if (settled) return;
      settled = true;
      // destroy, not just end: a socket still connecting to a blackholed host would otherwise linger (and keep the process alive).
      client.destroy();
      if (keyError) reject(new SshConnectError('host_key_changed', keyError.message, keyError));
      else reject(classify(err, target));
    });
    client.connect(config);
    // Every exec is a few small packets each way: with Nagle's algorithm each one after the first waits for the peer's
    // delayed ACK (~40 ms), which made a one-line command take ~100 ms on a LAN. (A no-op on a forwarded stream.)
    client.setNoDelay(true);
  });
}

/** Connects to `target` (through its jump hosts first), verifying or pinning every host key. */
export async function connectSsh(target: SshTarget, options: ConnectOptions): Promise<SshConnection> {
  let jump: SshConnection | null = null;
  let sock: Duplex | undefined;
  if (target.jump) {
    jump = await connectSsh(target.jump, options);
    try {
      sock = await jump.forward(target.host, target.port);
    } catch (e) {
      jump.close();
      throw new SshConnectError('jump', `Jump host ${describe(target.jump)} could not open a connection to ${target.host}:${target.port}: ${(e as Error).message}. Check that the jump host can reach it and allows TCP forwarding.`, e);
    }
  }
  try {
    return new SshConnection(await connectOne(target, options, sock), target, jump);
  } catch (e) {
    jump?.close();
    throw e;
  }
}
