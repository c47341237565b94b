// `apply -d` detaches right after the submit, as dstack's does (spec 5.3), where dstack's server then carries the
// run. There is no server here: a detached `__drive RUN_ID` process runs the scheduler (leading when no VS Code
// window or other command does, following otherwise, so taking over if that one goes away) until the run is no
// longer starting, then exits. Like the local backend's agent, it runs from the CLI bundle, or from the sources
// through tsx (tests).

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { closeBackends } from '../orchestrator/backends-registry';
import { DriveTimeoutError, driveUntil } from '../orchestrator/drive';
import type { RunStatus } from '../orchestrator/model/status';
import { openRuntime } from '../orchestrator/runtime';

/** The hidden CLI subcommand: `node dist/cli.js __drive <run-id>`. */
export const DRIVE_COMMAND = '__drive';

/** Statuses a run still needs a scheduler for before it is running or ended (a retry waits in `pending`). */
const STARTING: ReadonlySet<RunStatus> = new Set(['submitted', 'pending', 'provisioning', 'terminating']);

/** A safety net only: a starting run ends on its own well before (provisioning limit, retry duration). */
const MAX_DRIVE_MS = 24 * 3600_000;

/** The file the driver of `runId` writes its output to. */
export function driverLogFile(stateDir: string, runId: string): string {
  return path.join(stateDir, 'drivers', `${runId.replace(/[^A-Za-z0-9_-]/g, '_')}.log`);
}

/** The executable and arguments that run the driver of `runId`. */
export function driverCommand(runId: string): { command: string; args: string[] } {
  // From the sources (tests): tsx, resolved at run time (the bundles never take this branch).
  if (__filename.endsWith('.ts')) return { command: process.execPath, args: ['--require', createRequire(__filename).resolve('tsx/cjs'), path.join(__dirname, 'main.ts'), DRIVE_COMMAND, runId] };
  // Bundled: this code is inside dist/cli.js.
  return { command: process.execPath, args: [path.join(__dirname, 'cli.js'), DRIVE_COMMAND, runId] };
}

/**
 * Starts the driver of `runId` as a detached process outliving this one, with this process's environment and the
 * command's `env` over it (what the backends read from either, e.g. the AWS SDK's variables).
 */
export function startDetachedDriver(stateDir: string, runId: string, env: NodeJS.ProcessEnv, cwd: string): void {
  const logFile = driverLogFile(stateDir, runId);
  fs.mkdirSync(path.dirname(logFile), { recursive: true, mode: 0o700 });
  const out = fs.openSync(logFile, 'a', 0o600);
  try {
    const { command, args } = driverCommand(runId);
    spawn(command, args, { detached: true, stdio: ['ignore', out, out], env: { ...process.env, ...env }, cwd }).unref();
  } finally {
    fs.closeSync(out);
  }
}

/** Waits between passes that failed in a row (a provider's API down, say): 1 s, 2 s, 5 s, 10 s, then every 30 s. */
const RETRY_DELAYS_MS = [1000, 2000, 5000, 10_000, 30_000];

/** A driver gives up after its passes failed for this long without one succeeding (dstack's provisioning limit). */
const GIVE_UP_AFTER_MS = 20 * 60_000;

/**
 * The driver itself: runs the scheduler until the run `runId` is running, ended or gone. A pass that fails (a
 * provider's API unreachable during the orphan sweep or a refresh) is logged and retried with a growing delay, as the
 * extension's leader loop does; only after GIVE_UP_AFTER_MS of failures in a row is it thrown (the log gets it).
 */
export async function driveDetached(runId: string, env: NodeJS.ProcessEnv, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const rt = openRuntime(env);
  let failingSince: number | null = null;
  let failures = 0;
  try {
    for (;;) {
      try {
        await driveUntil(rt.leader, rt.store, (s) => {
          const run = s.runs.find((r) => r.id === runId);
          return !run || !STARTING.has(run.status);
        }, { timeoutMs: MAX_DRIVE_MS, onState: () => { failingSince = null; failures = 0; } });
        return 0;
      } catch (err) {
        if (err instanceof DriveTimeoutError) throw err;
        failingSince ??= Date.now();
        if (Date.now() - failingSince > GIVE_UP_AFTER_MS) throw err;
        const delay = RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length - 1)] ?? 30_000;
        failures += 1;
        log(`${new Date().toISOString()} a scheduler pass failed (${err instanceof Error ? err.message : String(err)}); retrying in ${delay / 1000} s`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  } finally {
    await rt.leader.stop();
    await closeBackends(rt.backends);
  }
}
