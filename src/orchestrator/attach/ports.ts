// The local ports of `attach` (dstack's `PortsLock`): the configuration's `ports` as container port →
// requested local port, then listeners reserved on 127.0.0.1 before anything connects. An explicit local
// port that is taken is an error (`Port N is already in use`); an automatic one (`*:N`) takes the first
// free port from the container port up. When the environment runs on this machine (the local backend)
// its ports already are this machine's: a mapping to the same port (or an automatic one) needs no listener.

import * as net from 'node:net';
import { parsePortMapping } from '../../schema/grammar/ports';

/** dstack's reserved container ports (runner 10999, sshd 10022, shim 10998): never forwarded. */
export const RESERVED_PORTS = { from: 10000, to: 10999 } as const;

/** One forward to set up: `local` null means "pick the first free port from `container` up". */
export interface PortRequest {
  local: number | null;
  container: number;
}

/** A reserved local port: the listener is open, connections wait until the tunnel is up; null = the environment's own port on this machine. */
export interface ReservedPort {
  local: number;
  container: number;
  server: net.Server | null;
}

/** A local port could not be reserved; the message is dstack's. */
export class PortUsedError extends Error {
  constructor(readonly port: number) {
    super(`Port ${port} is already in use`);
    this.name = 'PortUsedError';
  }
}

/** The `ports` of a (normalized or raw) configuration as requests, reserved ports dropped, one per container port (the last wins, as dstack's dict). */
export function configuredPorts(configuration: Record<string, unknown>): PortRequest[] {
  const raw = configuration['ports'];
  if (!Array.isArray(raw)) return [];
  const byContainer = new Map<number, number | null>();
  for (const entry of raw) {
    const m = parsePortMapping(entry);
    if (m.container_port >= RESERVED_PORTS.from && m.container_port <= RESERVED_PORTS.to) continue;
    byContainer.set(m.container_port, m.local_port);
  }
  return [...byContainer].map(([container, local]) => ({ local, container }));
}

/** Parses a `-p`-style mapping (`8080`, `80:8080`, `*:8080`) into a request. */
export function parsePortRequest(text: string): PortRequest {
  const m = parsePortMapping(text);
  return { local: m.local_port, container: m.container_port };
}

/** Listens on `host:port`; resolves null when the port is taken or not allowed. */
function tryListen(port: number, host: string): Promise<net.Server | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(null));
    server.listen({ port, host, exclusive: true }, () => resolve(server));
  });
}

/** Reserves every request's local port on `host` (default 127.0.0.1): explicit ones first, then automatic ones; all released on error. `sameHost`: the environment runs on this machine. */
export async function reservePorts(requests: readonly PortRequest[], options: { host?: string; sameHost?: boolean } = {}): Promise<ReservedPort[]> {
  const host = options.host ?? '127.0.0.1';
  const out: ReservedPort[] = [];
  const used = new Set<number>();
  try {
    if (options.sameHost) {
      for (const r of requests) {
        if (r.local !== null && r.local !== 0 && r.local !== r.container) continue;
        used.add(r.container);
        out.push({ local: r.container, container: r.container, server: null });
      }
    }
    const toListen = options.sameHost ? requests.filter((r) => r.local !== null && r.local !== 0 && r.local !== r.container) : requests;
    for (const r of toListen) {
      if (r.local === null || r.local === 0) continue;
      const server = used.has(r.local) ? null : await tryListen(r.local, host);
      if (!server) throw new PortUsedError(r.local);
      used.add(r.local);
      out.push({ local: r.local, container: r.container, server });
    }
    for (const r of toListen) {
      if (r.local !== null && r.local !== 0) continue;
      for (let port = r.container; ; port++) {
        if (port > 65535) throw new PortUsedError(r.container);
        const server = used.has(port) ? null : await tryListen(port, host);
        if (!server) continue;
        used.add(port);
        out.push({ local: port, container: r.container, server });
        break;
      }
    }
  } catch (e) {
    await releasePorts(out);
    throw e;
  }
  const order = (p: ReservedPort): number => requests.findIndex((r) => r.container === p.container);
  return out.sort((a, b) => order(a) - order(b));
}

/** Closes the listeners of reserved ports. */
export async function releasePorts(ports: readonly ReservedPort[]): Promise<void> {
  await Promise.all(ports.map((p) => new Promise<void>((r) => {
    if (!p.server?.listening) { r(); return; }
    p.server.close(() => r());
  })));
}
