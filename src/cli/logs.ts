// `dstack-vsc logs NAME [-f]`: the run's output (init and what the environment prints); -f follows it
// until the run finishes, running the scheduler meanwhile.

import { LogFollower, runLogFiles } from '../orchestrator/logs';
import { isActiveRun } from '../orchestrator/model/run';
import { findRun, RunNotFoundError } from '../orchestrator/orchestrator';
import { openRuntime, type Runtime } from '../orchestrator/runtime';
import { flag, parseArgs } from './args';
import { UsageError, type CliCommand, type CliIo } from './command';

const FLAGS = [{ name: 'follow', short: 'f', kind: 'boolean' }] as const;

/** Prints the run's output as it grows (polling, stepping the scheduler meanwhile) until it ends or `stopped()`. */
export async function followLogs(rt: Runtime, runId: string, io: CliIo, options: { follow: boolean; stopped?: () => boolean }): Promise<void> {
  const follower = new LogFollower(rt.backends, rt.events);
  const drain = async (): Promise<boolean> => {
    const state = (await rt.leader.step()) ?? (await rt.store.read());
    const run = state.runs.find((r) => r.id === runId);
    if (!run) return false;
    const text = follower.poll(run);
    if (text) io.stdout(text);
    return isActiveRun(run);
  };
  let active = await drain();
  while (options.follow && active && !options.stopped?.()) {
    await new Promise((r) => setTimeout(r, 500));
    active = await drain();
  }
}

/** The `logs` command. */
export const logsCommand: CliCommand = {
  name: 'logs',
  summary: "Show a run's output (-f to follow)",
  usage: 'logs NAME [-f]',
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS);
    const [name] = args.positionals;
    if (!name || args.positionals.length > 1) throw new UsageError('exactly one run NAME is required');
    const rt = openRuntime(io.env);
    try {
      const run = findRun((await rt.store.read()).runs, name);
      if (!run) throw new RunNotFoundError(name);
      if (runLogFiles(run, rt.backends).length === 0 && !flag(args, 'follow')) {
        io.stderr(`No logs for ${name} yet${run.attempts.some((a) => a.backend !== 'local') ? ' (logs of non-local backends arrive over SSH, not available yet)' : ''}\n`);
        return 0;
      }
      let interrupted = false;
      const onInt = () => {
        interrupted = true;
      };
      process.once('SIGINT', onInt);
      try {
        await followLogs(rt, run.id, io, { follow: flag(args, 'follow'), stopped: () => interrupted });
      } finally {
        process.off('SIGINT', onInt);
      }
      return 0;
    } finally {
      await rt.leader.stop();
    }
  },
};
