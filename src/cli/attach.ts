// `dstack-vsc attach NAME [-p MAPPING]...`: dstack's attach. For a running run: the `ssh <run>` entry is
// made sure of, the configuration's `ports` (and `-p` overrides) are forwarded from 127.0.0.1 to the
// environment over SSH, and it stays attached until Ctrl+C (`Detached`, exit 0) or the run ends (its
// status message, exit 0 only for done).

import { finalMessage, statusMessage } from '../orchestrator/display';
import { configuredPorts, parsePortRequest, PortUsedError, reservePorts, type PortRequest, type ReservedPort } from '../orchestrator/attach/ports';
import { closeBackends } from '../orchestrator/backends-registry';
import { findRun, RunNotFoundError } from '../orchestrator/orchestrator';
import { openRuntime } from '../orchestrator/runtime';
import { options as multi, parseArgs } from './args';
import { attachSession, watchInterrupts } from './attach-session';
import { UsageError, type CliCommand } from './command';

const FLAGS = [{ name: 'port', short: 'p', kind: 'multi' }] as const;

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
      const state = await rt.store.read();
      const run = findRun(state.runs, name);
      if (!run) throw new RunNotFoundError(name);
      if (run.status !== 'running') {
        io.stderr(`Run ${name} is ${statusMessage(run)}; attach needs a running run\n`);
        return 1;
      }
      const requests = attachPortRequests(run.spec.configuration, multi(args, 'port'));
      let ports: ReservedPort[];
      try {
        const backend = state.instances.find((i) => i.id === run.instanceId)?.backend;
        ports = await reservePorts(requests, { sameHost: backend === 'local' });
      } catch (err) {
        if (err instanceof PortUsedError) {
          io.stderr(`${err.message}\n`);
          return 1;
        }
        throw err;
      }
      const interrupts = watchInterrupts();
      try {
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
      } finally {
        interrupts.dispose();
      }
    } finally {
      await rt.leader.stop();
      await closeBackends(rt.backends);
    }
  },
};
