// `attach`'s port forwarding: listens on local ports and carries each connection to a port on the
// environment over the SSH connection (direct-tcpip), like `ssh -L local:localhost:remote`.

import * as net from 'node:net';
import type { SshConnection } from './connect';

/** One `ports` mapping: local_port:container_port (local 0 = any free port). */
export interface PortMapping {
  local: number;
  remote: number;
}

/** Open forwards; `ports` holds the actual local port of each mapping, in order. */
export interface PortForwards {
  ports: Array<PortMapping & { bound: number }>;
  /** Stops listening and closes every forwarded connection. */
  close(): Promise<void>;
}

/** A local port we could not listen on. */
export class PortForwardError extends Error {
  constructor(readonly mapping: PortMapping, readonly code: string, message: string) {
    super(message);
    this.name = 'PortForwardError';
  }
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/**
 * Carries one accepted local connection to `remoteHost:remotePort` over `conn` (direct-tcpip), both ways, until
 * either side closes; `sockets` tracks it while it is open (so a close can destroy it).
 */
export function carryOver(conn: SshConnection, sock: net.Socket, remoteHost: string, remotePort: number, sockets: Set<net.Socket>): void {
  sockets.add(sock);
  sock.on('close', () => sockets.delete(sock));
  sock.on('error', () => sock.destroy());
  sock.pause();
  conn.forward(remoteHost, remotePort).then((remote) => {
    remote.on('error', () => sock.destroy());
    remote.on('close', () => sock.destroy());
    sock.on('close', () => remote.destroy());
    sock.pipe(remote).pipe(sock);
    sock.resume();
  }, () => sock.destroy());
}

/** Forwards each mapping's local port (on `bindHost`, default 127.0.0.1) to `remoteHost:remote` as seen by the SSH host. */
export async function forwardPorts(conn: SshConnection, mappings: readonly PortMapping[], options: { bindHost?: string; remoteHost?: string } = {}): Promise<PortForwards> {
  const bindHost = options.bindHost ?? '127.0.0.1';
  const remoteHost = options.remoteHost ?? '127.0.0.1';
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const ports: PortForwards['ports'] = [];
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  };
  for (const m of mappings) {
    const server = net.createServer((sock) => carryOver(conn, sock, remoteHost, m.remote, sockets));
    try {
      ports.push({ ...m, bound: await listen(server, m.local, bindHost) });
      servers.push(server);
    } catch (e) {
      await close();
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      const why = code === 'EADDRINUSE' ? `is already in use on this machine; map it to another local port, e.g. ports: ["${m.local + 1}:${m.remote}"]`
        : code === 'EACCES' ? 'needs privileges to listen on; use a local port above 1023, e.g. ports: ["8080:' + m.remote + '"]'
          : `cannot be listened on (${(e as Error).message})`;
      throw new PortForwardError(m, code, `Local port ${m.local} (forwarding to port ${m.remote} of the environment) ${why}.`);
    }
  }
  return { ports, close };
}
