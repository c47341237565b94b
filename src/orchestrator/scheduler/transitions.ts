// The pure part of the scheduler: given the state, the providers' current view of the instances and
// the time, moves runs and instances along dstack's state machine. No I/O; every policy is here.

import type { ProviderInstance } from '../../backends/backend';
import type { Backend } from '../../backends/backend';
import type { BackendId } from '../../backends/offer';
import type { OrchestratorEvent } from '../events';
import type { InstanceRecord, ProvisioningAttempt, RunRecord } from '../model/run';
import {
  FINISHED_RUN_STATUSES, JOB_TERMINATION_REASONS, RUN_TERMINATION_REASONS,
  type InstanceStatus, type InstanceTerminationReason, type JobTerminationReason, type RunTerminationReason,
} from '../model/status';
import type { OrchestratorState } from '../store/state';
import { coverBusySamples, underUtilized, type GpuActivity } from '../metrics/gpu-activity';

/** dstack's resubmission backoff (spec 5.2): 15 s, 30 s, 1 min, 2 min, 5 min, then every 10 min. */
export const RETRY_BACKOFF_SECS = [15, 30, 60, 120, 300, 600] as const;

/** Tunables of the state machine. */
export interface TransitionOptions {
  /** Seconds an instance may take from create to ready before `waiting_runner_limit_exceeded`. */
  provisioningTimeoutSecs: number;
  /** Backends by id, for their capabilities. */
  backends: ReadonlyMap<BackendId, Pick<Backend, 'capabilities'>>;
}

/** Default tunables: dstack's 10-minute provisioning limit. */
export const DEFAULT_PROVISIONING_TIMEOUT_SECS = 600;

/** The resubmission delay before retry attempt `attempt` (0-based). */
export function retryDelaySecs(attempt: number): number {
  return RETRY_BACKOFF_SECS[Math.min(attempt, RETRY_BACKOFF_SECS.length - 1)] as number;
}

/**
 * Applies every transition due at `now`, given `views` (refresh results by instance id; instances
 * missing from it were not refreshed this pass) and what the scheduler knows of the GPUs of runs with a
 * utilization policy (by run id). Mutates `state`; returns the events to emit.
 */
export function applyTransitions(
  state: OrchestratorState, views: ReadonlyMap<string, ProviderInstance>, now: number, options: TransitionOptions,
  gpuActivity: ReadonlyMap<string, GpuActivity> = new Map(),
): OrchestratorEvent[] {
  const events: OrchestratorEvent[] = [];
  const ctx: Ctx = { state, views, now, options, events, goneThisPass: new Set(), gpuActivity };
  for (const run of state.runs) {
    if (FINISHED_RUN_STATUSES.has(run.status)) continue;
    stepRun(ctx, run);
    // A job that began terminating this pass releases its instance and gets its final status at once.
    if (run.status === 'terminating') finishTermination(ctx, run);
  }
  for (const inst of state.instances) stepInstance(ctx, inst);
  return events;
}

interface Ctx {
  state: OrchestratorState;
  views: ReadonlyMap<string, ProviderInstance>;
  now: number;
  options: TransitionOptions;
  events: OrchestratorEvent[];
  /** Instances found gone this pass: they still get their terminate call before being closed. */
  goneThisPass: Set<string>;
  gpuActivity: ReadonlyMap<string, GpuActivity>;
}

function stepRun(ctx: Ctx, run: RunRecord): void {
  if (run.stopRequest && run.status !== 'terminating') {
    beginTermination(ctx, run, run.stopRequest === 'abort' ? 'aborted_by_user' : 'terminated_by_user');
  }
  switch (run.status) {
    case 'pending':
      if (run.retryAt !== null && ctx.now >= run.retryAt) startSubmission(ctx, run);
      return;
    case 'submitted':
      return; // Provisioning needs backend calls: the scheduler's `provision` step.
    case 'provisioning':
      stepProvisioning(ctx, run);
      return;
    case 'running':
      stepRunning(ctx, run);
      return;
    case 'terminating':
    case 'terminated':
    case 'failed':
    case 'done':
      return;
  }
}

/** Starts a new job submission (first one, or a retry). */
export function startSubmission(ctx: { now: number; events: OrchestratorEvent[] }, run: RunRecord): void {
  if (run.status === 'pending') run.submission++;
  run.retryAt = null;
  run.nextOfferIndex = 0;
  run.instanceId = null;
  run.provisionedAt = null;
  run.runningSince = null;
  run.submissionStartedAt = ctx.now;
  run.jobTerminationReason = null;
  run.exitCode = null;
  run.lastActivityAt = null;
  run.gpuBusyUntil = [];
  setRunStatus(ctx, run, 'submitted', 'submitted');
}

/** The run's instance is already being terminated or gone: the run cannot continue on it. */
function lostInstance(ctx: Ctx, run: RunRecord, inst: InstanceRecord | undefined): boolean {
  if (inst && inst.status !== 'terminated' && inst.status !== 'terminating') return false;
  beginTermination(ctx, run, inst?.terminationReason === 'interrupted' ? 'interrupted_by_no_capacity' : 'instance_unreachable');
  return true;
}

function stepProvisioning(ctx: Ctx, run: RunRecord): void {
  const inst = instanceOf(ctx, run);
  if (lostInstance(ctx, run, inst)) return;
  const view = inst ? ctx.views.get(inst.id) : undefined;
  if (!inst || !view) return;
  if (view.state === 'gone') {
    markInstanceGone(ctx, inst, view);
    beginTermination(ctx, run, view.interrupted ? 'interrupted_by_no_capacity' : 'instance_unreachable');
    return;
  }
  absorbView(inst, view);
  if (view.startFailure) {
    failStart(ctx, run, inst, view.startFailure);
    return;
  }
  if (view.report?.initExitCode !== undefined && view.report.initExitCode !== 0) {
    run.exitCode = view.report.initExitCode;
    beginTermination(ctx, run, 'container_exited_with_error');
    return;
  }
  if (view.state === 'running' && view.report?.ready) {
    setInstanceStatus(ctx, inst, 'busy');
    run.runningSince = ctx.now;
    setRunStatus(ctx, run, 'running', 'running');
    ctx.events.push({ kind: 'progress', run: run.name, stage: 'ready' });
    return;
  }
  if (view.state === 'running' && run.jobStatus === 'provisioning') {
    // The host is up and the environment is being set up (init running): dstack's `pulling` stage.
    setRunStatus(ctx, run, 'provisioning', 'pulling');
    ctx.events.push({ kind: 'progress', run: run.name, stage: 'running_init' });
  }
  const since = run.provisionedAt ?? run.submissionStartedAt;
  if (ctx.now - since >= ctx.options.provisioningTimeoutSecs * 1000) beginTermination(ctx, run, 'waiting_runner_limit_exceeded');
}

/**
 * The provider will never start the instance `create` accepted (a pod no node can take, an image that cannot be
 * pulled): the refusal is recorded as an attempt of that offer with the provider's message, and the instance is
 * terminated. No capacity then moves on to the next offer, as a refused create does (the provision step of this
 * pass tries it; none left: failed_to_start_due_to_no_capacity); a container that cannot be created ends the job
 * as dstack's creating_container_error.
 */
function failStart(ctx: Ctx, run: RunRecord, inst: InstanceRecord, failure: NonNullable<ProviderInstance['startFailure']>): void {
  terminateInstance(ctx, inst, 'create_failed');
  const created = [...run.attempts].reverse().find((a) => a.submission === run.submission && a.outcome === 'created'
    && a.backend === inst.backend && a.region === inst.offer.region && a.instanceType === inst.offer.instanceType);
  if (created) {
    const attempt: ProvisioningAttempt = { ...created, at: ctx.now, outcome: failure.code === 'no_capacity' ? 'no_capacity' : 'invalid', error: failure.message };
    run.attempts.push(attempt);
    ctx.events.push({ kind: 'attempt', run: run.name, attempt });
  }
  if (failure.code === 'container_error' || !created) {
    beginTermination(ctx, run, failure.code === 'container_error' ? 'creating_container_error' : 'failed_to_start_due_to_no_capacity');
    return;
  }
  run.instanceId = null;
  run.provisionedAt = null;
  run.nextOfferIndex = created.offerIndex + 1;
  setRunStatus(ctx, run, 'submitted', 'submitted');
}

function stepRunning(ctx: Ctx, run: RunRecord): void {
  const inst = instanceOf(ctx, run);
  if (lostInstance(ctx, run, inst) || !inst) return;
  const view = ctx.views.get(inst.id);
  if (!view) return;
  if (view.state === 'gone') {
    markInstanceGone(ctx, inst, view);
    beginTermination(ctx, run, view.interrupted || inst.offer.resources.spot ? 'interrupted_by_no_capacity' : 'instance_unreachable');
    return;
  }
  absorbView(inst, view);
  const spec = run.spec;
  const report = view.report;
  const inactive = report?.noConnectionsSecs;
  if (inactive !== undefined) recordActivity(run, ctx.now - inactive * 1000);
  if (spec.inactivityDuration !== null && inactive !== undefined && inactive >= spec.inactivityDuration) {
    run.lastActivityAt = ctx.now - inactive * 1000;
    beginTermination(ctx, run, 'inactivity_duration_exceeded');
    return;
  }
  // dstack: max_duration counts time in the running state, excluding provisioning and pulling.
  const started = run.runningSince ?? run.provisionedAt ?? run.submissionStartedAt;
  if (spec.maxDuration !== null && ctx.now - started >= spec.maxDuration * 1000) {
    beginTermination(ctx, run, 'max_duration_exceeded');
    return;
  }
  const policy = spec.utilizationPolicy;
  const gpus = ctx.gpuActivity.get(run.id);
  if (policy && gpus) {
    coverBusySamples(run, gpus);
    if (underUtilized(gpus, policy, run.runningSince ?? run.submissionStartedAt, ctx.now)) beginTermination(ctx, run, 'terminated_due_to_utilization_policy');
  }
}

/**
 * Moves the run's last activity time when the instance reports a different one. Reports are whole seconds
 * taken a moment apart, so a shift under 10 s is the same activity and is not written (no rewrite per pass).
 */
export function recordActivity(run: RunRecord, at: number): void {
  if (run.lastActivityAt === null || Math.abs(at - run.lastActivityAt) >= 10_000) run.lastActivityAt = at;
}

/** Moves the job to `terminating` with `reason` (the first reason wins). */
export function beginTermination(ctx: { now: number; events: OrchestratorEvent[] }, run: RunRecord, reason: JobTerminationReason): void {
  if (run.status === 'terminating' || FINISHED_RUN_STATUSES.has(run.status)) return;
  run.jobTerminationReason = reason;
  setRunStatus(ctx, run, 'terminating', 'terminating');
  ctx.events.push({ kind: 'progress', run: run.name, stage: 'stopping' });
}

/** Releases the run's instance and gives the run its final status, or schedules a retry. */
function finishTermination(ctx: Ctx, run: RunRecord): void {
  const reason = run.jobTerminationReason ?? 'terminated_by_server';
  const inst = instanceOf(ctx, run);
  if (inst) releaseInstance(ctx, inst, reason);
  run.instanceId = null;
  // This submission had an instance: from now on the retry clock runs from its end (spec 5.2).
  if (run.provisionedAt !== null) run.provisionedSubmissionEndedAt = ctx.now;
  const info = JOB_TERMINATION_REASONS[reason];
  if (info.retryEvent !== null && run.stopRequest === null && run.spec.retry?.on_events.includes(info.retryEvent)) {
    // dstack: the run's age while no submission had an instance, else the time since the last one that had ended.
    const clockStart = run.provisionedSubmissionEndedAt ?? run.submittedAt;
    if (ctx.now - clockStart <= run.spec.retry.duration * 1000) {
      run.retryAt = ctx.now + retryDelaySecs(run.retryAttempt) * 1000;
      run.retryAttempt++;
      setRunStatus(ctx, run, 'pending', info.status);
      return;
    }
    finishRun(ctx, run, 'retry_limit_exceeded', info.status);
    return;
  }
  const runReason: RunTerminationReason =
    reason === 'terminated_by_user' ? 'stopped_by_user'
      : reason === 'aborted_by_user' ? 'aborted_by_user'
        : info.status === 'failed' ? 'job_failed' : 'all_jobs_done';
  finishRun(ctx, run, runReason, info.status);
}

function finishRun(ctx: { now: number; events: OrchestratorEvent[] }, run: RunRecord, reason: RunTerminationReason, jobStatus: RunRecord['jobStatus']): void {
  run.runTerminationReason = reason;
  run.retryAt = null;
  setRunStatus(ctx, run, RUN_TERMINATION_REASONS[reason].status, jobStatus);
  ctx.events.push({ kind: 'progress', run: run.name, stage: 'finished' });
}

/** After the run is done with it: keep the instance idle for reuse, or terminate it. */
function releaseInstance(ctx: Ctx, inst: InstanceRecord, reason: JobTerminationReason): void {
  if (inst.status === 'terminated' || inst.status === 'terminating') return;
  inst.runId = null;
  const reusable = ctx.options.backends.get(inst.backend)?.capabilities.reusable ?? false;
  const healthy = inst.status === 'busy' && JOB_TERMINATION_REASONS[reason].status !== 'failed' && reason !== 'aborted_by_user';
  if (reusable && healthy && inst.idleDuration !== 0) {
    inst.idleSince = ctx.now;
    setInstanceStatus(ctx, inst, 'idle');
    return;
  }
  terminateInstance(ctx, inst, reason === 'aborted_by_user' ? 'aborted' : 'run_finished');
}

function stepInstance(ctx: Ctx, inst: InstanceRecord): void {
  const view = ctx.views.get(inst.id);
  switch (inst.status) {
    case 'terminated':
      return;
    case 'terminating':
      if (view?.state === 'gone' && !ctx.goneThisPass.has(inst.id)) setInstanceStatus(ctx, inst, 'terminated');
      return;
    case 'pending': {
      // A write-ahead record: only the run that made it may still call create; otherwise clean it up.
      const run = ctx.state.runs.find((r) => r.id === inst.runId);
      if (!run || run.instanceId !== inst.id || run.status !== 'submitted') terminateInstance(ctx, inst, 'create_failed');
      return;
    }
    case 'idle':
      if (view?.state === 'gone') {
        markInstanceGone(ctx, inst, view);
        return;
      }
      // A negative idle_duration (`off`) keeps the instance until it is stopped by hand.
      if (inst.idleSince !== null && inst.idleDuration >= 0 && ctx.now - inst.idleSince >= inst.idleDuration * 1000) terminateInstance(ctx, inst, 'idle_timeout');
      return;
    case 'provisioning':
    case 'busy': {
      if (view?.state === 'gone') {
        markInstanceGone(ctx, inst, view);
        return;
      }
      const run = ctx.state.runs.find((r) => r.id === inst.runId);
      // An instance whose run is finished (or unknown) must never be forgotten: terminate it.
      if (!run || FINISHED_RUN_STATUSES.has(run.status) || run.instanceId !== inst.id) terminateInstance(ctx, inst, 'run_finished');
      return;
    }
  }
}

/** Marks the instance for termination; the scheduler calls Backend.terminate until it is gone. */
export function terminateInstance(ctx: { now: number; events: OrchestratorEvent[] }, inst: InstanceRecord, reason: InstanceTerminationReason): void {
  if (inst.status === 'terminated' || inst.status === 'terminating') return;
  inst.terminationReason = reason;
  setInstanceStatus(ctx, inst, 'terminating');
}

/** The provider no longer has it: record why, and still call terminate once (it cleans up what is left). */
function markInstanceGone(ctx: Ctx, inst: InstanceRecord, view: ProviderInstance): void {
  inst.terminationReason = view.interrupted ? 'interrupted' : 'gone';
  inst.runId = null;
  ctx.goneThisPass.add(inst.id);
  setInstanceStatus(ctx, inst, 'terminating');
}

function absorbView(inst: InstanceRecord, view: ProviderInstance): void {
  if (view.ssh) inst.ssh = { ...view.ssh };
  if (view.providerId) inst.providerId = view.providerId;
  if (view.report?.workingDir) inst.workingDir = view.report.workingDir;
}

function instanceOf(ctx: Ctx, run: RunRecord): InstanceRecord | undefined {
  return run.instanceId === null ? undefined : ctx.state.instances.find((i) => i.id === run.instanceId);
}

/** Sets run and job status and records the change as an event. */
export function setRunStatus(ctx: { now: number; events: OrchestratorEvent[] }, run: RunRecord, status: RunRecord['status'], jobStatus: RunRecord['jobStatus']): void {
  if (run.status === status && run.jobStatus === jobStatus) return;
  run.status = status;
  run.jobStatus = jobStatus;
  run.statusChangedAt = ctx.now;
  ctx.events.push({ kind: 'run_status', run: run.name, status, jobStatus, reason: run.jobTerminationReason });
}

/** Sets an instance's status and records the change as an event. */
export function setInstanceStatus(ctx: { now: number; events: OrchestratorEvent[] }, inst: InstanceRecord, status: InstanceStatus): void {
  if (inst.status === status) return;
  inst.status = status;
  inst.statusChangedAt = ctx.now;
  if (status !== 'idle') inst.idleSince = null;
  ctx.events.push({ kind: 'instance_status', instance: inst.id, status });
}
