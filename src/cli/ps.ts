// `dstack-vsc ps`: runs in dstack's columns (spec 5.6), or as JSON. Runs one scheduler pass first when no
// other process leads, so what it shows is current.

import { errorText, runRow, shortDuration, statusMessage } from '../orchestrator/display';
import { inactiveSecs, isActiveRun, type InstanceRecord } from '../orchestrator/model/run';
import { displayBackend, formatPrice, prettyOfferResources } from '../orchestrator/offers';
import { openRuntime } from '../orchestrator/runtime';
import { flag, parseArgs } from './args';
import type { CliCommand } from './command';
import { renderTable } from './format/table';

const FLAGS = [
  { name: 'all', short: 'a', kind: 'boolean' },
  { name: 'verbose', short: 'v', kind: 'boolean' },
  { name: 'json', kind: 'boolean' },
] as const;

/** The `ps` command. */
export const psCommand: CliCommand = {
  name: 'ps',
  summary: 'List runs (active ones, or the last finished one; -a for all)',
  usage: 'ps [-a] [-v] [--json]',
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS);
    const rt = openRuntime(io.env);
    let state;
    try {
      state = (rt.store.hasLiveLeader(Date.now()) ? null : await rt.leader.step(true)) ?? (await rt.store.read());
    } finally {
      await rt.leader.stop();
    }
    const sorted = [...state.runs].sort((a, b) => b.submittedAt - a.submittedAt);
    let runs = flag(args, 'all') ? sorted : sorted.filter(isActiveRun);
    if (!flag(args, 'all') && runs.length === 0 && sorted[0]) runs = [sorted[0]];
    const now = rt.clock.now();
    if (flag(args, 'json')) {
      const out = runs.map((run) => {
        const r = runRow(run, state.instances, now);
        const inst = state.instances.find((i) => i.id === run.instanceId);
        return {
          name: run.name, status: run.status, job_status: run.jobStatus, status_message: statusMessage(run),
          termination_reason: run.jobTerminationReason, error: errorText(run) || null,
          backend: r.backend || null, region: r.region || null, instance_type: r.instanceType || null,
          resources: r.resources || null, price: inst?.offer.pricePerHour ?? (r.price === '-' ? null : Number(r.price.replace(/[^0-9.]/g, ''))),
          spot: inst?.offer.resources.spot ?? null, submitted_at: new Date(run.submittedAt).toISOString(),
          inactive_seconds: run.status === 'running' ? inactiveSecs(run, now) : null, attempts: run.attempts.length,
        };
      });
      io.stdout(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    }
    if (flag(args, 'verbose')) {
      const rows = runs.map((run) => {
        const r = runRow(run, state.instances, now);
        const idle = run.status === 'running' ? inactiveSecs(run, now) : null;
        const inactive = idle ? ` (inactive for ${shortDuration(idle)})` : '';
        return [r.name, r.backend ? `${r.backend} (${r.region})` : '-', r.resources, r.instanceType, r.price, `${r.status}${inactive}`, '', r.submitted, r.error];
      });
      io.stdout(renderTable(['NAME', 'BACKEND', 'RESOURCES', 'INSTANCE TYPE', 'PRICE', 'STATUS', 'PROBES', 'SUBMITTED', 'ERROR'].map((header) => ({ header })), rows));
      io.stdout(idleInstancesTable(state.instances, now));
      return 0;
    }
    const rows = runs.map((run) => {
      const r = runRow(run, state.instances, now);
      return [r.name, r.backend ? `${r.backend} (${r.region})` : '', r.gpu, r.price, r.status, r.submitted];
    });
    io.stdout(renderTable(['NAME', 'BACKEND', 'GPU', 'PRICE', 'STATUS', 'SUBMITTED'].map((header) => ({ header })), rows));
    io.stdout(idleInstancesTable(state.instances, now));
    return 0;
  },
};

/**
 * The instances kept idle after their run (dstack lists them in `fleet`): they cost money until a run reuses them
 * or their idle_duration ends, so `ps` shows them with their price and when they go. Empty when there are none.
 */
export function idleInstancesTable(instances: readonly InstanceRecord[], now: number): string {
  const idle = instances.filter((i) => i.status === 'idle');
  if (idle.length === 0) return '';
  const rows = idle.map((i) => {
    const left = i.idleDuration < 0 || i.idleSince === null ? null : Math.max(0, Math.ceil((i.idleSince + i.idleDuration * 1000 - now) / 1000));
    return [
      i.providerId ?? i.id, `${displayBackend(i.offer.backend)} (${i.offer.region})`, prettyOfferResources(i.offer.resources),
      `${formatPrice(i.offer.pricePerHour)}${i.offer.resources.spot ? ' (spot)' : ''}`, 'idle',
      left === null ? 'kept (off)' : `ends in ${shortDuration(left)}`,
    ];
  });
  return `\nIdle instances (kept for reuse by the next matching run; billed until they end):\n${renderTable(['INSTANCE', 'BACKEND', 'RESOURCES', 'PRICE', 'STATUS', 'IDLE'].map((header) => ({ header })), rows)}`;
}
