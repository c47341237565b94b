// Pure figures for a run (no vscode import): cost so far, time left until the inactivity auto-stop,
// projected cost, and the status bar's words. Tested in the extension-host suite.
import { inactiveSecs, type InstanceRecord, type RunRecord } from '../orchestrator/model/run';
import { shortDuration } from '../orchestrator/display';

/** The hourly price of the instance the run is on, or null before it has one. */
export function runPrice(run: RunRecord, instances: readonly InstanceRecord[]): number | null {
  const inst = instances.find((i) => i.id === run.instanceId);
  return inst ? inst.offer.pricePerHour : null;
}

/** Dollars spent so far: price × time since provisioning (until now, or until the status last changed when finished). */
export function costSoFar(run: RunRecord, price: number | null, now: number, finished: boolean): number | null {
  if (price === null || run.provisionedAt === null) return null;
  const end = finished ? run.statusChangedAt : now;
  return (price * Math.max(0, end - run.provisionedAt)) / 3_600_000;
}

/** Seconds until the inactivity auto-stop, or null when off or unknown (no activity report yet). */
export function secondsUntilAutoStop(run: RunRecord, now: number): number | null {
  const limit = run.spec.inactivityDuration;
  if (limit === null || limit <= 0 || run.status !== 'running') return null;
  return Math.max(0, limit - (inactiveSecs(run, now) ?? 0));
}

/** Projected cost of an offer until the inactivity auto-stop: price × inactivity_duration, null when off. */
export function projectedCost(pricePerHour: number, inactivityDuration: number | null): number | null {
  return inactivityDuration === null || inactivityDuration <= 0 ? null : (pricePerHour * inactivityDuration) / 3600;
}

/** `$0.42` for costs (cents), `-` when unknown. */
export function formatCost(dollars: number | null): string {
  return dollars === null ? '-' : `$${dollars.toFixed(2)}`;
}

/** The status bar text: `$(server-environment) train · stops in 4m 10s · $0.42`. */
export function statusBarText(run: RunRecord, instances: readonly InstanceRecord[], now: number): string {
  const parts = [`$(server-environment) ${run.name}`];
  if (run.status !== 'running') parts.push(run.status);
  const left = secondsUntilAutoStop(run, now);
  if (left !== null) parts.push(`stops in ${shortDuration(left)}`);
  const cost = costSoFar(run, runPrice(run, instances), now, false);
  if (cost !== null) parts.push(formatCost(cost));
  return parts.join(' · ');
}

/** A longer inactivity_duration for "extend": doubles it, at least one hour more than now. */
export function extendedInactivity(current: number | null): number {
  return current === null || current <= 0 ? 3600 : Math.max(current * 2, current + 3600);
}
