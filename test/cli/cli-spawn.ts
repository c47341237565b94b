// Runs the real CLI as a long-lived child process (no terminal on stdin) for commands that stay attached:
// waits for output, sends Ctrl+C (SIGINT), collects the exit code.

import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** A running CLI process. */
export class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number>;
  private readonly child: ChildProcess;

  constructor(args: string[], env: Record<string, string>, cwd = ROOT) {
    this.child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (b: Buffer) => { this.stdout += b.toString('utf8'); });
    this.child.stderr?.on('data', (b: Buffer) => { this.stderr += b.toString('utf8'); });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : 0))));
  }

  /** Resolves once stdout matches `re`; rejects after `timeoutMs` or if the process exits first. */
  async waitFor(re: RegExp, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let done = false;
    void this.exited.then(() => { done = true; });
    while (!re.test(this.stdout)) {
      if (done) throw new Error(`exited before ${re}:\n${this.stdout}\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}:\n${this.stdout}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Sends Ctrl+C. */
  interrupt(): void {
    this.child.kill('SIGINT');
  }

  /** Kills it (cleanup). */
  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** GET http://127.0.0.1:port/ with retries until `timeoutMs`; resolves the body. */
export async function httpGet(port: number, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(3000) });
      return await res.text();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
