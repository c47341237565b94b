// `dstack-vsc attach NAME`: what is known about reaching the run. The SSH tunnel and host entries come
// with the SSH access work; until then this prints the run's state and its SSH endpoint when known.

import { findRun, RunNotFoundError } from '../orchestrator/orchestrator';
import { statusMessage } from '../orchestrator/display';
import { openRuntime } from '../orchestrator/runtime';
import { parseArgs } from './args';
import { UsageError, type CliCommand } from './command';

/** The `attach` command. */
export const attachCommand: CliCommand = {
  name: 'attach',
  summary: 'Show how to reach a running dev environment',
  usage: 'attach NAME',
  async run(argv, io) {
    const [name, ...extra] = parseArgs(argv, []).positionals;
    if (!name || extra.length > 0) throw new UsageError('exactly one run NAME is required');
    const rt = openRuntime(io.env);
    const state = await rt.store.read();
    const run = findRun(state.runs, name);
    if (!run) throw new RunNotFoundError(name);
    if (run.status !== 'running') {
      io.stderr(`Run ${name} is ${statusMessage(run)}; attach needs a running run\n`);
      return 1;
    }
    const inst = state.instances.find((i) => i.id === run.instanceId);
    io.stdout(`Attached to run ${name} (replica=0 job=0)\n`);
    if (inst?.ssh) io.stdout(`SSH endpoint: ${inst.ssh.user}@${inst.ssh.host}:${inst.ssh.port}\n`);
    else io.stdout(`SSH access to ${inst?.backend ?? 'this'} instances is not set up yet; see \`dstack-vsc logs ${name} -f\` for its output.\n`);
    return 0;
  },
};
