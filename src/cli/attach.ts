// `dstack-vsc attach NAME [-p MAPPING]...`: dstack's attach. For a running run: the `ssh <run>` entry is
// made sure of, the configuration's `ports` (and `-p` overrides) are forwarded from 127.0.0.1 to the
// environment over SSH, and it stays attached until Ctrl+C (`Detached`, exit 0) or the run ends (its
// status message, exit 0 only for done). A run that is still starting is waited for first.

import { finalMessage, statusMessage } from '../orchestrator/display';
import { configuredPorts, parsePortRequest, PortUsedError, reservePorts, type PortRequest, type ReservedPort } from '../orchestrator/attach/ports';
import { closeBackends } from '../orchestrator/backends-registry';
import { driveUntil } from '../orchestrator/drive';
import type { RunStatus } from '../orchestrator/model/status';
import { findRun, RunNotFoundError } from '../orchestrator/orchestrator';
import { openRuntime, type Runtime } from '../orchestrator/runtime';
import { options as multi, parseArgs } from './args';
import { runTable } from './apply';
import { attachSession, watchInterrupts, type Interrupts } from './attach-session';
import { UsageError, type CliCommand, type CliIo } from './command';

const FLAGS = [{ name: 'port', short: 'p', kind: 'multi' }] as const;
/** Run statuses attach waits through (dstack's attach polls while the run starts). */
const STARTING: ReadonlySet<RunStatus> = new Set<RunStatus>(['submitted', 'pending', 'provisioning']);

/** The ports to forward: the configuration's, with `-p` mappings overriding by container port (dstack's `-p`). */
export function attachPortRequests(configuration: Record<string, unknown>, overrides: readonly string[]): PortRequest[] {
  const byContainer = new Map<number, number | null>(configuredPorts(configuration).map((r) => [r.container, r.local]));
  for (const o of overrides) {
    let r: PortRequest;
    try {
      r = parsePortRequest(o);
    } catch (err) {
      throw new UsageError(`-p ${o}: ${err instanceof Error ? err.message : String(err)}`);
    }
    byContainer.set(r.container, r.local);
  }
  return [...byContainer].map(([container, local]) => ({ local, container }));
}

/** The `attach` command. */
export const attachCommand: CliCommand = {
  name: 'attach',
  summary: "Attach to a running dev environment: `ssh NAME` and the configuration's ports forwarded to localhost",
  usage: 'attach NAME [-p [LOCAL:]CONTAINER]...',
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS);
    const [name, ...extra] = args.positionals;
    if (!name || extra.length > 0) throw new UsageError('exactly one run NAME is required');
    const rt = openRuntime(io.env);
    try {
      const interrupts = watchInterrupts();
      try {
        return await attachRun(rt, name, multi(args, 'port'), io, interrupts);
      } finally {
        interrupts.dispose();
      }
    } finally {
      await rt.leader.stop();
      await closeBackends(rt.backends);
    }
  },
};

/** Waits while the run is starting (as dstack's attach), then attaches until Ctrl+C or the run ends. */
async function attachRun(rt: Runtime, name: string, overrides: string[], io: CliIo, interrupts: Interrupts): Promise<number> {
  let state = await rt.store.read();
  const found = findRun(state.runs, name);
  if (!found) throw new RunNotFoundError(name);
  if (STARTING.has(found.status)) {
    io.stdout(runTable(found, rt, state.instances));
    state = await driveUntil(rt.leader, rt.store, (s) => interrupts.count > 0 || !STARTING.has(s.runs.find((r) => r.id === found.id)?.status ?? 'failed'));
    if (interrupts.count > 0) {
      io.stdout('Detached\n');
      return 0;
    }
  }
  const run = state.runs.find((r) => r.id === found.id) ?? found;
  if (run.status !== 'running') {
    io.stderr(`Run ${name} is ${statusMessage(run)}; attach needs a running run\n`);
    return 1;
  }
  let ports: ReservedPort[];
  try {
    const backend = state.instances.find((i) => i.id === run.instanceId)?.backend;
    ports = await reservePorts(attachPortRequests(run.spec.configuration, overrides), { sameHost: backend === 'local' });
  } catch (err) {
    if (err instanceof PortUsedError) {
      io.stderr(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const outcome = await attachSession(rt, run.id, io, { ports, logs: false, interrupts });
  if (outcome.kind === 'failed') {
    io.stderr(`${outcome.message}\n`);
    return 1;
  }
  if (outcome.kind === 'interrupted') {
    io.stdout('Detached\n');
    return 0;
  }
  io.stdout(`${finalMessage(outcome.run)}\n`);
  return outcome.run.jobStatus === 'done' ? 0 : 1;
}
