// Builds the crash/race driver into one JS file (fast child start-up) and spawns it.

import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

let built: string | null = null;

/** Path of the bundled driver (built once per test process). */
export function driverBundle(outDir: string): string {
  if (built) return built;
  const outfile = path.join(outDir, 'driver.cjs');
  buildSync({ entryPoints: [path.join(__dirname, 'driver.ts')], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'error' });
  built = outfile;
  return outfile;
}

/** A spawned driver with its collected output. */
export interface Child {
  proc: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns the driver with `args`. */
export function spawnDriver(bundle: string, args: string[]): Child {
  const proc = spawn(process.execPath, [bundle, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  proc.stdout?.on('data', (d: Buffer) => output.push(...d.toString().split('\n').filter(Boolean)));
  proc.stderr?.on('data', (d: Buffer) => output.push(`stderr: ${d.toString()}`));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return { proc, output, exited };
}

/** A seeded pseudo-random generator in [0, 1). */
export function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** Resolves once the child printed `line` (or exited). */
export async function waitForLine(child: Child, line: string): Promise<void> {
  for (let i = 0; i < 400 && !child.output.includes(line) && child.proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 25));
}
