// `dstack-vsc metrics NAME [--json]`: what the run's environment used, as dstack's metrics shows it (CPU,
// memory, per-GPU utilization and memory, sparklines of the kept samples). It steps the scheduler once
// first, so a run nobody else leads still gets a current sample.

import { findRun, RunNotFoundError } from '../orchestrator/orchestrator';
import { statusMessage } from '../orchestrator/display';
import { closeBackends } from '../orchestrator/backends-registry';
import { openRuntime } from '../orchestrator/runtime';
import { flag, parseArgs } from './args';
import { UsageError, type CliCommand } from './command';
import { metricsJson, renderMetricsTable } from './format/metrics';

const FLAGS = [{ name: 'json', kind: 'boolean' }] as const;

/** The `metrics` command. */
export const metricsCommand: CliCommand = {
  name: 'metrics',
  summary: "Show a run's CPU, memory and GPU use",
  usage: 'metrics NAME [--json]',
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS);
    const [name, ...extra] = args.positionals;
    if (!name || extra.length > 0) throw new UsageError('exactly one run NAME is required');
    const rt = openRuntime(io.env);
    try {
      const found = findRun((await rt.store.read()).runs, name);
      if (!found) throw new RunNotFoundError(name);
      const state = found.status === 'running' ? ((await rt.leader.step(true)) ?? (await rt.store.read())) : await rt.store.read();
      const run = state.runs.find((r) => r.id === found.id) ?? found;
      const cpus = state.instances.find((i) => i.id === run.instanceId)?.offer.resources.cpus ?? 1;
      const samples = rt.scheduler.metrics.read(run.id);
      if (flag(args, 'json')) {
        io.stdout(`${JSON.stringify({ name: run.name, status: run.status, metrics: metricsJson(samples, cpus) }, null, 2)}\n`);
        return 0;
      }
      if (samples.length === 0) io.stdout(`No metrics for run ${name} yet\n`);
      else io.stdout(renderMetricsTable(samples, cpus));
      if (run.status !== 'running') io.stdout(`Run ${name} is ${statusMessage(run)}\n`);
      return 0;
    } finally {
      await rt.leader.stop();
      await closeBackends(rt.backends);
    }
  },
};
