// Being attached to a running run (`attach`, and `apply` after ready): makes sure `ssh <run>` works,
// opens the tunnel to the environment with the configuration's `ports` forwarded to localhost, prints
// dstack's attach text, then (streaming the run's output for apply) leads the scheduler until Ctrl+C or
// the run ends. The tunnel reconnects if it drops while the run still runs.

import type { SshConnection } from '../backends/ssh/connect';
import { attachText, environmentWorkingDir, ideLinkText } from '../orchestrator/attach/attach-text';
import { releasePorts, type ReservedPort } from '../orchestrator/attach/ports';
import { connectEnvironment, environmentTarget, forwardReserved } from '../orchestrator/attach/tunnel';
import { LogFollower } from '../orchestrator/logs';
import { isActiveRun, type RunRecord } from '../orchestrator/model/run';
import type { Runtime } from '../orchestrator/runtime';
import { desiredEndpoints } from '../orchestrator/scheduler/ssh-publisher';
import type { OrchestratorState } from '../orchestrator/store/state';
import type { CliIo } from './command';

/** Ctrl+C presses counted from `watchInterrupts` on; `dispose` gives SIGINT back to Node's default. */
export interface Interrupts {
  readonly count: number;
  /** Resolves at the next Ctrl+C. */
  next(): Promise<void>;
  dispose(): void;
}

/** Counts SIGINTs (so Ctrl+C never kills the process mid-write) until disposed. */
export function watchInterrupts(): Interrupts {
  let count = 0;
  let wake: () => void = () => undefined;
  let pending = new Promise<void>((r) => { wake = r; });
  const onInt = (): void => {
    count++;
    const w = wake;
    pending = new Promise<void>((r) => { wake = r; });
    w();
  };
  process.on('SIGINT', onInt);
  return {
    get count() { return count; },
    next: () => pending,
    dispose: () => { process.off('SIGINT', onInt); },
  };
}

/** How an attached session ended. */
export type AttachOutcome = { kind: 'interrupted' } | { kind: 'ended'; run: RunRecord } | { kind: 'failed'; message: string };

/** Options of one attached session. */
export interface AttachOptions {
  /** Local ports already reserved (released when the session ends). */
  ports: ReservedPort[];
  /** Stream the run's output while attached (apply). */
  logs: boolean;
  interrupts: Interrupts;
  /** ms between scheduler steps (default 500). */
  pollMs?: number;
}

/** Attaches to the running run `runId` until Ctrl+C or the run ends. */
export async function attachSession(rt: Runtime, runId: string, io: CliIo, options: AttachOptions): Promise<AttachOutcome> {
  const startCount = options.interrupts.count;
  const interrupted = (): boolean => options.interrupts.count > startCount;
  let conn: SshConnection | null = null;
  let closed = true;
  let stopForward: (() => void) | null = null;
  const follower = options.logs ? new LogFollower(rt.backends, rt.events) : null;
  const open = async (state: OrchestratorState, run: RunRecord): Promise<void> => {
    const inst = state.instances.find((i) => i.id === run.instanceId);
    if (!inst?.ssh) throw new Error(`run ${run.name} on ${inst?.backend ?? 'its backend'} has no SSH endpoint yet`);
    const ep = desiredEndpoints(state).get(run.name);
    if (ep) await rt.ssh.access.publish(ep);
    const c = await connectEnvironment(await environmentTarget(run.name, inst.ssh, rt.ssh.paths), rt.ssh.paths);
    conn = c;
    closed = false;
    c.client.once('close', () => { closed = true; });
    stopForward = forwardReserved(c, options.ports);
  };
  const closeTunnel = (): void => {
    stopForward?.();
    stopForward = null;
    conn?.close();
    conn = null;
  };
  try {
    const first = await rt.store.read();
    const run = first.runs.find((r) => r.id === runId);
    if (!run) return { kind: 'failed', message: `run ${runId} is gone` };
    try {
      await open(first, run);
    } catch (err) {
      return { kind: 'failed', message: `Cannot attach to ${run.name}: ${err instanceof Error ? err.message : String(err)}` };
    }
    const inst = first.instances.find((i) => i.id === run.instanceId);
    const link = inst ? ideLinkText(run.name, run.spec.configuration['ide'], environmentWorkingDir(run, inst, rt.backends)) : '';
    io.stdout(attachText(run.name, options.ports.map((p) => ({ local: p.local, container: p.container })), link));
    for (;;) {
      if (interrupted()) return { kind: 'interrupted' };
      const state = (await rt.leader.step()) ?? (await rt.store.read());
      const current = state.runs.find((r) => r.id === runId);
      if (!current) return { kind: 'failed', message: `run ${run.name} is gone` };
      if (follower) {
        const text = follower.poll(current);
        if (text) io.stdout(text);
      }
      if (!isActiveRun(current)) return { kind: 'ended', run: current };
      if (closed && current.status === 'running') {
        closeTunnel();
        await open(state, current).catch(() => undefined); // retried on the next step
      }
      await Promise.race([new Promise((r) => setTimeout(r, options.pollMs ?? 500)), options.interrupts.next()]);
    }
  } finally {
    closeTunnel();
    await releasePorts(options.ports);
  }
}
