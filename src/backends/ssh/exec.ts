// Runs one command over an SSH connection with streamed output. Environment values are sent inside
// the command as single-quoted exports (sshd drops `env` requests it doesn't AcceptEnv).

import type { Readable } from 'node:stream';
import type { Client } from 'ssh2';
import { exportPrefix, shellQuote } from './shell-quote';

/** Options of `runCommand`. */
export interface ExecOptions {
  env?: Readonly<Record<string, string>>;
  /** Directory to run in (created by nobody: it must exist). */
  cwd?: string;
  stdin?: Readable | Buffer | string;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Bytes of each stream kept in the result (default 1 MiB; the callbacks see everything). */
  captureLimit?: number;
}

/** How the command ended. `code` is null when it was killed by `signal` or the connection dropped. */
export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** The full remote command line for `command` with `options.cwd` and `options.env`. */
export function buildCommand(command: string, options: Pick<ExecOptions, 'cwd' | 'env'>): string {
  const cd = options.cwd !== undefined ? `cd ${shellQuote(options.cwd)} && ` : '';
  return `${cd}${exportPrefix(options.env ?? {})}${command}`;
}

/** Runs `command` on `client` and resolves when the channel closes. */
export function runCommand(client: Client, command: string, options: ExecOptions = {}): Promise<ExecResult> {
  const limit = options.captureLimit ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    client.exec(buildCommand(command, options), (err, ch) => {
      if (err) { reject(err); return; }
      const out: Buffer[] = [];
      const errs: Buffer[] = [];
      let outLen = 0;
      let errLen = 0;
      let code: number | null = null;
      let signal: string | null = null;
      ch.on('data', (b: Buffer) => {
        options.onStdout?.(b);
        if (outLen < limit) { out.push(b); outLen += b.length; }
      });
      ch.stderr.on('data', (b: Buffer) => {
        options.onStderr?.(b);
        if (errLen < limit) { errs.push(b); errLen += b.length; }
      });
      ch.on('exit', (c: number | null, s?: string) => { code = c; signal = s ?? null; });
      ch.on('close', () => resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errs).toString('utf8') }));
      ch.on('error', reject);
      const input = options.stdin;
      if (input === undefined) ch.end();
      else if (typeof input === 'string' || Buffer.isBuffer(input)) ch.end(input);
      else input.pipe(ch);
    });
  });
}
