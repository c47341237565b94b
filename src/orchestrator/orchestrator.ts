// The orchestrator's front door for the CLI and the extension: submit, stop, update in place and list
// runs, and terminate an instance left without a run. These only write intents to the store; the scheduler
// (whoever leads) acts on them.

import { randomUUID } from 'node:crypto';
import type { Clock } from './clock';
import { generateRunName, runNameError } from './names';
import { isActiveRun, type InstanceRecord, type RunRecord, type RunSpec } from './model/run';
import type { OrchestratorState } from './store/state';
import type { Store } from './store/store';
import { startSubmission, terminateInstance } from './scheduler/transitions';

/** An active run with this name exists (re-apply must update in place or stop and re-create). */
export class RunExistsError extends Error {
  override name = 'RunExistsError';
  constructor(readonly runName: string) {
    super(`an active run named '${runName}' already exists; stop it first (dstack-vsc stop ${runName})`);
  }
}

/** No run has this name. */
export class RunNotFoundError extends Error {
  override name = 'RunNotFoundError';
  constructor(readonly runName: string) {
    super(`run '${runName}' not found; see dstack-vsc ps -a`);
  }
}

/** Submits a new run (name given or generated; unique among active runs; `id` fresh unless given). Returns the stored record. */
export async function submitRun(store: Store, clock: Clock, spec: RunSpec, name: string | null, id: string = randomUUID()): Promise<RunRecord> {
  if (name !== null) {
    const error = runNameError(name);
    if (error) throw new Error(`${spec.configurationPath}: name: ${error}`);
  }
  return store.update((s) => {
    const active = new Set(s.runs.filter(isActiveRun).map((r) => r.name));
    if (name !== null && active.has(name)) throw new RunExistsError(name);
    const runName = name ?? generateRunName(new Set([...active, ...s.runs.map((r) => r.name)]));
    const now = clock.now();
    const run: RunRecord = {
      id, name: runName, spec, status: 'submitted', jobStatus: 'submitted', submittedAt: now, statusChangedAt: now,
      submission: 0, submissionStartedAt: now, provisionedAt: null, runningSince: null, provisionedSubmissionEndedAt: null, nextOfferIndex: 0,
      instanceId: null, attempts: [], retryAttempt: 0, retryAt: null, stopRequest: null, jobTerminationReason: null,
      runTerminationReason: null, exitCode: null, lastActivityAt: null, gpuBusyUntil: [],
    };
    startSubmission({ now, events: [] }, run);
    s.runs.push(run);
    return run;
  });
}

/** Asks the active run `name` to stop (graceful) or abort. Returns false when it had already finished. */
export async function requestStop(store: Store, name: string, abort: boolean): Promise<boolean> {
  return store.update((s) => {
    const runs = s.runs.filter((r) => r.name === name);
    if (runs.length === 0) throw new RunNotFoundError(name);
    const run = runs.find(isActiveRun);
    if (!run) return false;
    // An abort may upgrade a graceful stop, never the other way round.
    if (run.stopRequest === null || abort) run.stopRequest = abort ? 'abort' : 'stop';
    return true;
  });
}

/** Changes what dstack changes in place (inactivity_duration) on the active run `name`. */
export async function updateInPlace(store: Store, name: string, spec: RunSpec): Promise<RunRecord> {
  return store.update((s) => {
    const run = s.runs.find((r) => r.name === name && isActiveRun(r));
    if (!run) throw new RunNotFoundError(name);
    run.spec = { ...run.spec, inactivityDuration: spec.inactivityDuration, configurationPath: spec.configurationPath, configuration: spec.configuration };
    return run;
  });
}

/** Instances no active run is on (idle ones kept by idle_duration, ones being terminated): they may still cost money. */
export function instancesWithoutRun(state: OrchestratorState): InstanceRecord[] {
  const active = state.runs.filter(isActiveRun);
  return state.instances.filter((i) => i.status !== 'terminated' && !active.some((r) => r.instanceId === i.id || r.id === i.runId));
}

/** What a request to terminate an instance did (a closed set; messages are the caller's). */
export type InstanceTerminationRequest = 'terminating' | 'already-terminating' | 'in-use' | 'not-found';

/** Asks for an instance no active run is on to be terminated (the scheduler calls the backend); a run's instance is stopped with its run. */
export async function requestInstanceTermination(store: Store, clock: Clock, instanceId: string): Promise<InstanceTerminationRequest> {
  return store.update((s) => {
    const inst = s.instances.find((i) => i.id === instanceId);
    if (!inst) return 'not-found';
    if (inst.status === 'terminating' || inst.status === 'terminated') return 'already-terminating';
    if (!instancesWithoutRun(s).includes(inst)) return 'in-use';
    terminateInstance({ now: clock.now(), events: [] }, inst, 'terminated_by_user');
    return 'terminating';
  });
}

/** The newest run with this name (active first), or undefined. */
export function findRun(runs: readonly RunRecord[], name: string): RunRecord | undefined {
  const named = runs.filter((r) => r.name === name);
  return named.find(isActiveRun) ?? named.sort((a, b) => b.submittedAt - a.submittedAt)[0];
}
