// `dstack-vsc stop NAME [-x] [-y]`: graceful stop (or abort), waiting until the run has finished.

import { driveUntil } from '../orchestrator/drive';
import { isActiveRun } from '../orchestrator/model/run';
import { findRun, requestStop } from '../orchestrator/orchestrator';
import { openRuntime } from '../orchestrator/runtime';
import { flag, parseArgs } from './args';
import { UsageError, type CliCommand } from './command';

const FLAGS = [
  { name: 'abort', short: 'x', kind: 'boolean' },
  { name: 'yes', short: 'y', kind: 'boolean' },
] as const;

/** The `stop` command. */
export const stopCommand: CliCommand = {
  name: 'stop',
  summary: 'Stop a run (-x to abort)',
  usage: 'stop NAME [-x] [-y]',
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS);
    const [name, ...extra] = args.positionals;
    if (!name || extra.length > 0) throw new UsageError('exactly one run NAME is required');
    const abort = flag(args, 'abort');
    if (!flag(args, 'yes')) {
      if (!process.stdin.isTTY) {
        io.stderr('Are you sure you want to stop the run? [y/n]: no terminal to ask on; pass -y to answer yes\n');
        return 1;
      }
      if (!(await io.confirm('Are you sure you want to stop the run?'))) return 0;
    }
    const rt = openRuntime(io.env);
    try {
      const run = findRun((await rt.store.read()).runs, name);
      if (!(await requestStop(rt.store, name, abort)) || !run) {
        io.stdout(`Run ${name} has already finished\n`);
        return 0;
      }
      const active = (await rt.store.read()).runs.find((r) => r.name === name && isActiveRun(r));
      await driveUntil(rt.leader, rt.store, (s) => !s.runs.some((r) => r.id === active?.id && isActiveRun(r)) && s.instances.every((i) => i.status !== 'terminating'));
      io.stdout(abort ? 'Aborted\n' : 'Stopped\n');
      return 0;
    } finally {
      await rt.leader.stop();
    }
  },
};
