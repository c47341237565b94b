// A mocha root hook (loaded by .mocharc and the SSH layer's mocha): in-process sockets may reach only this
// machine (127.0.0.0/8, ::1, Unix sockets) and the namespaced test subnet 10.200.0.0/15, which run-all.sh pins
// unreachable in the root namespace. Anything else (a corpus fleet's 3.255.177.51, a hostname to resolve) is
// refused before a packet leaves, and the run fails naming it, even when the code under test swallowed the error.

import * as net from 'node:net';

const refused: string[] = [];

/** Whether `host` (an address or name) is one the tests may connect to. */
export function allowedTestHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').replace(/^::ffff:/i, '');
  if (h === 'localhost' || h === '::1') return true;
  if (net.isIPv4(h)) {
    const [a, b] = h.split('.').map(Number) as [number, number];
    return a === 127 || (a === 10 && (b === 200 || b === 201));
  }
  return false;
}

const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
  const first = args[0];
  const options = (Array.isArray(first) ? first[0] : first) as { host?: string; path?: string; port?: number } | number | string | undefined;
  let host: string | undefined;
  if (typeof options === 'object' && options !== null) host = options.path !== undefined ? undefined : (options.host ?? 'localhost');
  else if (typeof options === 'number') host = typeof args[1] === 'string' ? args[1] : 'localhost';
  if (host !== undefined && !allowedTestHost(host)) {
    const what = `${host}${typeof options === 'object' && options?.port !== undefined ? `:${options.port}` : ''}`;
    refused.push(what);
    const err = Object.assign(new Error(`test network guard: connecting to ${what} is refused (tests reach only 127.0.0.0/8 and 10.200.0.0/15)`), { code: 'ECONNREFUSED' });
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return (original as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

/** The refused destinations so far, forgetting them (for the guard's own test). */
export function takeRefused(): string[] {
  return refused.splice(0);
}

/** Mocha root hooks: the run fails when any test tried to leave the machine. */
export const mochaHooks = {
  afterAll(): void {
    if (refused.length > 0) throw new Error(`tests tried to connect outside loopback and the test subnet: ${[...new Set(refused)].join(', ')}`);
  },
};
