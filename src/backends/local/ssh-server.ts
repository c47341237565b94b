// The local backend's SSH endpoint: an ssh2 server on 127.0.0.1 with a host key we generated (so the
// client pins it) that accepts only the run's key. It gives `ssh <run-name>` and VS Code Remote-SSH a
// real SSH host on a machine that has nothing but Node: exec, shell with a pty, env, direct-tcpip port
// forwarding, and sftp (through OpenSSH's sftp-server when installed).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { Server, utils, type Connection, type ServerChannel, type Session, type PseudoTtyInfo, type ParsedKey } from 'ssh2';
import { ConnectionActivity } from '../connection-activity';

/** How the endpoint is set up for one environment. */
export interface LocalSshServerOptions {
  /** The host private key (OpenSSH format) the orchestrator generated and pinned. */
  hostKey: string;
  /** The run's authorized public key (`ssh-ed25519 AAAA...`); no other key is accepted. */
  authorizedKey: string;
  /** The login name clients must use (default: the current OS user). */
  user?: string;
  /** Commands and shells start here. */
  workingDir: string;
  /** The environment's variables (DSTACK_RUN_NAME, ..., the configuration's env). */
  env: Readonly<Record<string, string>>;
  /** Login shell (default $SHELL, else /bin/sh). */
  shell?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Which `direct-tcpip` destinations are allowed (default: loopback only). */
  allowForward?: (host: string, port: number) => boolean;
}

/** Client `env` requests we honour, as dstack's sshd AcceptEnv does. */
const ACCEPTED_ENV = /^(LANG|LC_[A-Z_]+|TERM|COLORTERM|NO_COLOR)$/;
const SFTP_SERVERS = ['/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server', '/usr/libexec/sftp-server', '/usr/lib/ssh/sftp-server'];

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function parseOne(key: string, what: string): ParsedKey {
  const parsed = utils.parseKey(key);
  if (parsed instanceof Error) throw new Error(`Cannot parse the ${what}: ${parsed.message}`);
  const k = Array.isArray(parsed) ? parsed[0] : parsed;
  if (k === undefined) throw new Error(`Cannot parse the ${what}: no key found`);
  return k;
}

/** The argv that runs `inner` (a shell command line) under a new pseudo-terminal, via util-linux/BSD `script`. */
function underPty(inner: string): string[] {
  return process.platform === 'darwin' ? ['script', '-q', '/dev/null', '/bin/sh', '-c', inner] : ['script', '-q', '-f', '-e', '-c', inner, '/dev/null'];
}

function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A running endpoint. */
export class LocalSshServer {
  private server: Server | null = null;
  private readonly clients = new Set<Connection>();
  private readonly children = new Set<ChildProcess>();
  private readonly authorized: ParsedKey;
  private readonly user: string;
  private readonly shell: string;
  private openSessions = 0;
  private readonly activity = new ConnectionActivity<Connection>();
  port = 0;

  constructor(private readonly options: LocalSshServerOptions) {
    this.authorized = parseOne(options.authorizedKey, 'authorized key');
    parseOne(options.hostKey, 'host key');
    this.user = options.user ?? os.userInfo().username;
    this.shell = options.shell ?? process.env.SHELL ?? '/bin/sh';
  }

  /** Established SSH connections, however short. */
  get connections(): number {
    return this.clients.size;
  }

  /** When the environment was last active as dstack counts it (`now` while a connection open > 10 s exists), or null. */
  lastActiveAt(now = Date.now()): number | null {
    return this.activity.lastActiveAt(now);
  }

  /** Sessions (exec/shell/sftp channels) currently open. */
  get sessions(): number {
    return this.openSessions;
  }

  /** Listens on 127.0.0.1 and resolves with the port. */
  start(): Promise<number> {
    const server = new Server({ hostKeys: [this.options.hostKey] }, (client) => this.onClient(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, '127.0.0.1', () => {
        const addr = server.address();
        this.port = typeof addr === 'object' && addr !== null ? addr.port : 0;
        resolve(this.port);
      });
    });
  }

  /** Closes every connection, kills every process started for them, and stops listening. */
  async stop(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    for (const c of this.clients) c.end();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onClient(client: Connection): void {
    // Interactive sessions (a terminal, Remote-SSH) send small packets: without this each waits on Nagle, as sshd avoids.
    // (ssh2 has it at runtime; its types leave it out.)
    (client as Connection & { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);
    this.clients.add(client);
    this.activity.opened(client, Date.now());
    client.on('close', () => { this.clients.delete(client); this.activity.closed(client, Date.now()); });
    client.on('error', () => { /* a dropped client is not our failure */ });
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey' || ctx.username !== this.user) { ctx.reject(['publickey']); return; }
      const k = this.authorized;
      if (ctx.key.algo !== k.type || !ctx.key.data.equals(k.getPublicSSH())) { ctx.reject(['publickey']); return; }
      if (ctx.signature === undefined) { ctx.accept(); return; } // "would you accept this key?"
      if (k.verify(ctx.blob ?? Buffer.alloc(0), ctx.signature, ctx.hashAlgo) === true) ctx.accept();
      else ctx.reject(['publickey']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => this.onSession(accept()));
      client.on('tcpip', (accept, reject, info) => {
        const allowed = (this.options.allowForward ?? isLoopback)(info.destIP, info.destPort);
        if (!allowed) { reject(); return; }
        const sock = net.connect(info.destPort, info.destIP);
        sock.once('connect', () => {
          const ch = accept();
          sock.pipe(ch).pipe(sock);
          ch.on('error', () => sock.destroy());
          sock.on('error', () => ch.destroy());
        });
        sock.once('error', () => reject());
      });
    });
  }

  private onSession(session: Session): void {
    const clientEnv: Record<string, string> = {};
    let pty: PseudoTtyInfo | null = null;
    let current: ChildProcess | null = null;
    session.on('signal', (accept, _reject, info) => { accept?.(); current?.kill(`SIG${info.name}` as NodeJS.Signals); });
    session.on('env', (accept, reject, info) => {
      if (ACCEPTED_ENV.test(info.key)) { clientEnv[info.key] = info.val; accept?.(); } else reject?.();
    });
    session.on('pty', (accept, _reject, info) => { pty = info; accept?.(); });
    session.on('window-change', (accept) => { accept?.(); }); // no resize without a native pty module
    session.on('exec', (accept, _reject, info) => { current = this.run(accept(), ['-c', info.command], pty, clientEnv); });
    session.on('shell', (accept) => { current = this.run(accept(), ['-l'], pty, clientEnv); });
    session.on('subsystem', (accept, reject, info) => {
      const sftp = SFTP_SERVERS.find((p) => existsSync(p));
      if (info.name !== 'sftp' || sftp === undefined) { reject(); return; }
      this.attach(accept(), spawn(sftp, [], { cwd: this.options.workingDir, env: this.env(clientEnv, null) }), false);
    });
  }

  private env(clientEnv: Record<string, string>, pty: PseudoTtyInfo | null): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.options.env, ...clientEnv, SHELL: this.shell, PWD: this.options.workingDir };
    if (pty) env.TERM = pty.term || 'xterm-256color';
    return env;
  }

  private run(channel: ServerChannel, shellArgs: string[], pty: PseudoTtyInfo | null, clientEnv: Record<string, string>): ChildProcess {
    const env = this.env(clientEnv, pty);
    let child: ChildProcess;
    if (pty) {
      const size = pty.rows > 0 && pty.cols > 0 ? `stty rows ${pty.rows} cols ${pty.cols} 2>/dev/null; ` : '';
      const inner = `${size}exec ${[this.shell, ...shellArgs].map(sq).join(' ')}`;
      const [cmd, ...args] = underPty(inner) as [string, ...string[]];
      child = spawn(cmd, args, { cwd: this.options.workingDir, env });
    } else {
      child = spawn(this.shell, shellArgs, { cwd: this.options.workingDir, env });
    }
    this.attach(channel, child, true);
    return child;
  }

  private attach(channel: ServerChannel, child: ChildProcess, reportExit: boolean): void {
    this.children.add(child);
    this.openSessions++;
    channel.pipe(child.stdin!);
    child.stdin!.on('error', () => { /* the process exited before reading everything */ });
    child.stdout!.pipe(channel, { end: false });
    child.stderr!.pipe(channel.stderr, { end: false });
    child.on('error', (err) => {
      channel.stderr.write(`${err.message}\n`);
      if (reportExit) channel.exit(127);
      channel.end();
    });
    child.on('close', (code, signal) => {
      this.children.delete(child);
      this.openSessions--;
      if (reportExit) {
        if (signal) channel.exit(signal.replace(/^SIG/, ''), false, '');
        else channel.exit(code ?? 0);
      }
      channel.end();
    });
    channel.on('close', () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGHUP'); });
  }
}
