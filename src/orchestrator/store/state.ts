// The persisted state: its versioned shape, migrations from older versions, and strict parsing that
// turns a truncated or corrupted file into a clear error instead of silently dropping runs.

import { randomBytes } from 'node:crypto';
import type { InstanceRecord, RunRecord } from '../model/run';
import { busyBound } from '../metrics/gpu-activity';

/** The state file format this code writes. */
export const STATE_VERSION = 4;

/** Everything the orchestrator persists. */
export interface OrchestratorState {
  version: typeof STATE_VERSION;
  /** Incremented by every write; the compare-and-swap check. */
  revision: number;
  /** This installation's id, put in every backend tag. */
  installation: string;
  runs: RunRecord[];
  instances: InstanceRecord[];
}

/** The state file cannot be used as it is; the message names the file, what is wrong and the fix. */
export class StateFileError extends Error {
  override name = 'StateFileError';
}

/** A fresh, empty state with a new installation id. */
export function emptyState(): OrchestratorState {
  return { version: STATE_VERSION, revision: 0, installation: `vsc-${randomBytes(6).toString('hex')}`, runs: [], instances: [] };
}

/** One migration: the state of version N (as parsed JSON) to version N+1. */
type Migration = (old: Record<string, unknown>) => Record<string, unknown>;

/** Migrations by the version they upgrade from. Add one entry (and bump STATE_VERSION) per format change. */
const MIGRATIONS: Record<number, Migration> = {
  // Version 0: the pre-release format without `version` and with `instances` missing.
  0: (old) => ({ ...old, version: 1, instances: Array.isArray(old['instances']) ? old['instances'] : [] }),
  // Version 1 kept `inactiveSecs` (a counter rewritten every pass); 2 keeps `lastActivityAt`, filled by the next report.
  1: (old) => ({
    ...old, version: 2,
    runs: Array.isArray(old['runs']) ? old['runs'].map((r: unknown) => {
      if (typeof r !== 'object' || r === null) return r;
      const { inactiveSecs: _dropped, ...rest } = r as Record<string, unknown>;
      return { ...rest, lastActivityAt: null };
    }) : old['runs'],
  }),
  // Version 2 kept `lastProvisionedAt` (when a submission got its instance) as the retry clock's start; 3 keeps
  // `provisionedSubmissionEndedAt` (when it ended). A run waiting for a retry after a provisioned submission ended
  // then (its status change); otherwise the old start is kept, a lower bound that retries no longer than before.
  2: (old) => ({
    ...old, version: 3,
    runs: Array.isArray(old['runs']) ? old['runs'].map((r: unknown) => {
      if (typeof r !== 'object' || r === null) return r;
      const { lastProvisionedAt, ...rest } = r as Record<string, unknown>;
      const endedNow = rest['status'] === 'pending' && typeof rest['provisionedAt'] === 'number' && typeof rest['statusChangedAt'] === 'number';
      return { ...rest, provisionedSubmissionEndedAt: endedNow ? rest['statusChangedAt'] : (lastProvisionedAt ?? null) };
    }) : old['runs'],
  }),
  // Version 3 kept each run's GPU utilization samples (appended every pass, a state write each); 4 keeps per GPU a
  // minute bound of its last busy sample (the leader's samples stay in its memory), from the samples at or above the
  // policy's minimum.
  3: (old) => ({
    ...old, version: 4,
    runs: Array.isArray(old['runs']) ? old['runs'].map((r: unknown) => {
      if (typeof r !== 'object' || r === null) return r;
      const { utilization, ...rest } = r as Record<string, unknown>;
      return { ...rest, gpuBusyUntil: migratedBusyBounds(utilization, rest['spec']) };
    }) : old['runs'],
  }),
};

/** Version 3's samples (the busiest GPU's percent) as version 4's bound: one GPU, busy until its last sample at the minimum. */
function migratedBusyBounds(samples: unknown, spec: unknown): (number | null)[] {
  const min = (spec as { utilizationPolicy?: { min_gpu_utilization?: unknown } } | null)?.utilizationPolicy?.min_gpu_utilization;
  if (!Array.isArray(samples) || typeof min !== 'number') return [];
  const busy = samples.filter((s): s is { at: number; percent: number } => typeof s?.at === 'number' && typeof s?.percent === 'number' && s.percent >= min);
  const last = busy.at(-1);
  return last ? [busyBound(last.at)] : [];
}

/** Parses and migrates the text of `file`; throws StateFileError naming the file for anything unusable. */
export function parseState(text: string, file: string): OrchestratorState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const why = text.trim() === '' ? 'the file is empty (truncated)' : `it is not valid JSON (${(err as Error).message})`;
    throw new StateFileError(`${file}: ${why}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new StateFileError(`${file}: expected a JSON object at the top level`);
  let obj = raw as Record<string, unknown>;
  const rawVersion = obj['version'] === undefined ? 0 : obj['version'];
  if (typeof rawVersion !== 'number' || !Number.isInteger(rawVersion) || rawVersion < 0) {
    throw new StateFileError(`${file}: field 'version' must be a non-negative integer, got ${JSON.stringify(rawVersion)}`);
  }
  let version: number = rawVersion;
  if (version > STATE_VERSION) {
    throw new StateFileError(`${file}: written by a newer vscode-dstack (state version ${version}, this one reads up to ${STATE_VERSION}); update vscode-dstack`);
  }
  while (version < STATE_VERSION) {
    const migrate = MIGRATIONS[version];
    if (!migrate) throw new StateFileError(`${file}: no migration from state version ${version}`);
    obj = migrate(obj);
    version = obj['version'] as number;
  }
  for (const key of ['runs', 'instances'] as const) {
    if (!Array.isArray(obj[key])) throw new StateFileError(`${file}: field '${key}' must be a list`);
  }
  if (typeof obj['revision'] !== 'number') throw new StateFileError(`${file}: field 'revision' must be a number`);
  if (typeof obj['installation'] !== 'string' || obj['installation'] === '') throw new StateFileError(`${file}: field 'installation' must be a non-empty string`);
  for (const [i, run] of (obj['runs'] as unknown[]).entries()) {
    const r = run as Partial<RunRecord> | null;
    if (!r || typeof r.id !== 'string' || typeof r.name !== 'string' || typeof r.status !== 'string') {
      throw new StateFileError(`${file}: runs[${i}] lacks id, name or status`);
    }
  }
  for (const [i, inst] of (obj['instances'] as unknown[]).entries()) {
    const r = inst as Partial<InstanceRecord> | null;
    if (!r || typeof r.id !== 'string' || typeof r.backend !== 'string' || typeof r.status !== 'string') {
      throw new StateFileError(`${file}: instances[${i}] lacks id, backend or status`);
    }
  }
  return obj as unknown as OrchestratorState;
}
