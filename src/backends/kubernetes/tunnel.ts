// Local TCP listeners on 127.0.0.1 that reach a pod's port through the API server's port-forward (a
// websocket per connection, as `kubectl port-forward` does): the pod is never exposed outside the cluster,
// and `ssh <run-name>` / Remote-SSH work while the process holding the listener (CLI or extension) runs.

import * as net from 'node:net';
import { Writable } from 'node:stream';

/** Opens one port-forward stream: what client-node's PortForward.portForward does. */
export type ForwardFn = (namespace: string, pod: string, port: number, output: Writable, errors: Writable, input: net.Socket) => Promise<unknown>;

interface Listener { server: net.Server; port: number; sockets: Set<net.Socket> }

/** The listeners of one backend, one per (namespace, pod, port). */
export class PodTunnels {
  private readonly listeners = new Map<string, Promise<Listener>>();

  constructor(private readonly forward: ForwardFn) {}

  /** The local port reaching `port` of the pod (opened on first use, kept until `close`). */
  async open(namespace: string, pod: string, port: number): Promise<number> {
    const key = `${namespace}/${pod}:${port}`;
    let l = this.listeners.get(key);
    if (!l) {
      l = this.listen(namespace, pod, port);
      this.listeners.set(key, l);
      l.catch(() => this.listeners.delete(key));
    }
    return (await l).port;
  }

  private async listen(namespace: string, pod: string, port: number): Promise<Listener> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      this.connect(namespace, pod, port, socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    // The CLI must be able to exit while a listener is open; the scheduler's own work keeps it alive.
    server.unref();
    return { server, port: (server.address() as net.AddressInfo).port, sockets };
  }

  private connect(namespace: string, pod: string, port: number, socket: net.Socket): void {
    socket.pause();
    const output = new Writable({ write(chunk: Buffer, _enc, cb) { if (!socket.destroyed) socket.write(chunk); cb(); } });
    const errors = new Writable({ write(chunk: Buffer, _enc, cb) { if (chunk.length > 0) socket.destroy(new Error(chunk.toString('utf8'))); cb(); } });
    this.forward(namespace, pod, port, output, errors, socket).then((ws) => {
      const w = ws as { on?: (e: string, cb: () => void) => void; close?: () => void };
      w.on?.('close', () => socket.end());
      socket.on('close', () => w.close?.());
      socket.resume();
    }, () => socket.destroy());
  }

  /** Closes the pod's listeners (its connections too). */
  async closePod(namespace: string, pod: string): Promise<void> {
    const prefix = `${namespace}/${pod}:`;
    await Promise.all([...this.listeners.keys()].filter((k) => k.startsWith(prefix)).map((k) => this.closeKey(k)));
  }

  private async closeKey(key: string): Promise<void> {
    const l = await this.listeners.get(key)?.catch(() => null);
    this.listeners.delete(key);
    if (!l) return;
    for (const s of l.sockets) s.destroy();
    await new Promise<void>((resolve) => l.server.close(() => resolve()));
  }

  /** Closes every listener. */
  async close(): Promise<void> {
    await Promise.all([...this.listeners.keys()].map((k) => this.closeKey(k)));
  }
}
