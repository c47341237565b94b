// `dstack-vsc doctor NAME`: asks the real OpenSSH client (`ssh -G`) whether `ssh NAME` reaches the
// environment through our entry, and prints the verdict with the fix. Exit 1 when it does not.

import { findRun, RunNotFoundError } from '../orchestrator/orchestrator';
import { statusMessage } from '../orchestrator/display';
import { openRuntime } from '../orchestrator/runtime';
import { desiredEndpoints } from '../orchestrator/scheduler/ssh-publisher';
import { parseArgs } from './args';
import { UsageError, type CliCommand } from './command';

/** The `doctor` command. */
export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'Check that `ssh NAME` reaches a running dev environment (ssh -G) and say how to fix it',
  usage: 'doctor NAME',
  async run(argv, io) {
    const [name, ...extra] = parseArgs(argv, []).positionals;
    if (!name || extra.length > 0) throw new UsageError('exactly one run NAME is required');
    const rt = openRuntime(io.env);
    const state = await rt.store.read();
    const run = findRun(state.runs, name);
    if (!run) throw new RunNotFoundError(name);
    const ep = desiredEndpoints(state).get(name);
    if (run.status !== 'running' || !ep) {
      io.stderr(`Run ${name} is ${statusMessage(run)}${run.status === 'running' ? ' without an SSH endpoint yet' : ''}; the SSH doctor needs a running run with SSH access\n`);
      return 1;
    }
    const report = await rt.ssh.access.doctor(ep);
    io.stdout(`SSH doctor for ${name}: ${report.status === 'ok' ? 'ok' : `broken (${report.status})`}\n${report.message}\n`);
    for (const m of report.mismatches) io.stdout(`  ${m.option}: ${m.actual} (expected ${m.expected})\n`);
    return report.status === 'ok' ? 0 : 1;
  },
};
