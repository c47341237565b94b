// The OpenSSH client as the e2e tests use it: `ssh -F <config> <args>` without prompts, collecting the output.

import { spawn } from 'node:child_process';

/** What one `ssh` invocation printed and how it exited. */
export interface SshResult { status: number | null; stdout: string; stderr: string }

/** Runs the real `ssh -F config -o BatchMode=yes -o ConnectTimeout=10 ...args` (never prompts, never hangs on a dead host). */
export function ssh(config: string, ...args: string[]): Promise<SshResult> {
  return new Promise((resolve) => {
    const child = spawn('ssh', ['-F', config, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
