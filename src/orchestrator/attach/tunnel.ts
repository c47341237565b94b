// `attach`'s tunnel: one ssh2 connection to the environment's sshd (the same target as the published
// `Host <run>` entry: direct, or through the host and its jump host, every key pinned), carrying each
// reserved local port to the environment's loopback (direct-tcpip, like `ssh -L`).

import { readFile } from 'node:fs/promises';
import type * as net from 'node:net';
import type { SshVia } from '../../backends/backend';
import { connectSsh, type SshConnection, type SshTarget } from '../../backends/ssh/connect';
import type { SshPaths } from '../../backends/ssh/config/paths';
import { KnownHosts } from '../../backends/ssh/known-hosts';
import { carryOver } from '../../backends/ssh/port-forward';
import type { InstanceRecord } from '../model/run';
import type { ReservedPort } from './ports';

type Endpoint = NonNullable<InstanceRecord['ssh']>;

async function keys(file: string | undefined, fallback: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const f of file !== undefined && file !== fallback ? [file, fallback] : [fallback]) {
    const b = await readFile(f).catch(() => null);
    if (b !== null) out.push(b);
  }
  return out;
}

async function viaTarget(runName: string, via: SshVia, identity: string): Promise<SshTarget> {
  const host: SshTarget = {
    host: via.hostName, port: via.port, user: via.user, privateKeys: await keys(via.identityFile, identity), hostKeyAlias: via.hostKeyAlias ?? `${runName}-host`,
  };
  if (via.jump) {
    const j = via.jump;
    host.jump = { host: j.hostName, port: j.port, user: j.user, privateKeys: await keys(j.identityFile, identity), hostKeyAlias: j.hostKeyAlias ?? `${runName}-jump-host` };
  }
  return host;
}

/** The ssh2 target of a run's environment, matching the `Host <run>` entry the scheduler publishes (keys pinned under the same aliases). */
export async function environmentTarget(runName: string, ssh: Endpoint, paths: SshPaths): Promise<SshTarget> {
  const target: SshTarget = { host: ssh.host, port: ssh.port, user: ssh.user, privateKeys: await keys(undefined, paths.identity), hostKeyAlias: runName };
  if (ssh.via) target.jump = await viaTarget(runName, ssh.via, paths.identity);
  return target;
}

/** Opens the connection to the environment, verifying the pinned host keys. */
export function connectEnvironment(target: SshTarget, paths: SshPaths): Promise<SshConnection> {
  return connectSsh(target, { knownHosts: new KnownHosts(paths.knownHosts, paths.lock), keepaliveIntervalMs: 5000 });
}

/** Carries connections to the reserved ports over `conn` to the environment's 127.0.0.1; returns a function that stops carrying and closes them. */
export function forwardReserved(conn: SshConnection, ports: readonly ReservedPort[]): () => void {
  const sockets = new Set<net.Socket>();
  const handlers: Array<[net.Server, (s: net.Socket) => void]> = [];
  for (const p of ports) {
    const server = p.server;
    if (!server) continue;
    const onConnection = (sock: net.Socket): void => carryOver(conn, sock, '127.0.0.1', p.container, sockets);
    server.on('connection', onConnection);
    handlers.push([server, onConnection]);
  }
  return () => {
    for (const [server, h] of handlers) server.off('connection', h);
    for (const s of sockets) s.destroy();
  };
}
