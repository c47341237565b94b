// `dstack-vsc logs NAME [-f]`: the run's output (init and what the environment prints); -f follows it
// live until the run finishes (then its status message, exit 0 only for done) or Ctrl+C, running the
// scheduler meanwhile.

import { LogFollower, runLogFiles } from '../orchestrator/logs';
import { isActiveRun } from '../orchestrator/model/run';
import { findRun, RunNotFoundError } from '../orchestrator/orchestrator';
import { openRuntime, type Runtime } from '../orchestrator/runtime';
import { finalMessage } from '../orchestrator/display';
import { flag, parseArgs } from './args';
import { watchInterrupts } from './attach-session';
import { UsageError, type CliCommand, type CliIo } from './command';

const FLAGS = [{ name: 'follow', short: 'f', kind: 'boolean' }] as const;

/** Prints the run's output as it grows (polling, stepping the scheduler meanwhile) until it ends or `stopped()`. */
export async function followLogs(rt: Runtime, runId: string, io: CliIo, options: { follow: boolean; stopped?: () => boolean; wake?: () => Promise<void> }): Promise<void> {
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
    await Promise.race([new Promise((r) => setTimeout(r, 500)), ...(options.wake ? [options.wake()] : [])]);
    if (options.stopped?.()) break;
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
      const interrupts = watchInterrupts();
      try {
        await followLogs(rt, run.id, io, { follow: flag(args, 'follow'), stopped: () => interrupts.count > 0, wake: () => interrupts.next() });
      } finally {
        interrupts.dispose();
      }
      if (!flag(args, 'follow') || interrupts.count > 0) return 0;
      // Followed to the end: the run's status message (on stderr, so stdout stays the run's output) and its verdict.
      const final = (await rt.store.read()).runs.find((r) => r.id === run.id);
      if (!final || isActiveRun(final)) return 0;
      io.stderr(`${finalMessage(final)}\n`);
      return final.jobStatus === 'done' ? 0 : 1;
    } finally {
      await rt.leader.stop();
    }
  },
};
