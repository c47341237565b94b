// Runs the real CLI (`node --import tsx src/cli/main.ts`) as a child process with no terminal on stdin.

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** The outcome of one CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `dstack-vsc args...` in `cwd` with `env` added to this process's environment. */
export function cli(args: string[], env: Record<string, string>, cwd = ROOT, input?: string): CliRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd, env: { ...process.env, ...env }, encoding: 'utf8', input: input ?? '', timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
