// `dstack-vsc metrics NAME`: what the instance reported last (inactivity, GPU utilization samples).

import { findRun, RunNotFoundError } from '../orchestrator/orchestrator';
import { shortDuration, statusMessage } from '../orchestrator/display';
import { inactiveSecs } from '../orchestrator/model/run';
import { openRuntime } from '../orchestrator/runtime';
import { parseArgs } from './args';
import { UsageError, type CliCommand } from './command';
import { renderTable } from './format/table';

const BARS = '▁▂▃▄▅▆▇';

/** The `metrics` command. */
export const metricsCommand: CliCommand = {
  name: 'metrics',
  summary: 'Show what a run reports: GPU utilization and inactivity',
  usage: 'metrics NAME',
  async run(argv, io) {
    const [name, ...extra] = parseArgs(argv, []).positionals;
    if (!name || extra.length > 0) throw new UsageError('exactly one run NAME is required');
    const rt = openRuntime(io.env);
    const run = findRun((await rt.store.read()).runs, name);
    if (!run) throw new RunNotFoundError(name);
    const samples = run.utilization.slice(-40);
    const spark = samples.map((s) => BARS[Math.min(BARS.length - 1, Math.floor((s.percent / 100) * BARS.length))]).join('');
    const last = samples.at(-1);
    const idle = inactiveSecs(run, rt.clock.now());
    io.stdout(renderTable([{}, {}, { header: 'UTILIZATION' }, { header: 'INACTIVE' }], [[
      'job=0', 'gpu', last ? `${spark} ${Math.round(last.percent)}%` : '-', idle === null ? '-' : shortDuration(idle),
    ]]));
    if (run.status !== 'running') io.stdout(`Run ${name} is ${statusMessage(run)}\n`);
    return 0;
  },
};
