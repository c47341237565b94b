import { strict as assert } from 'node:assert';
import type { ProviderInstance } from '../../../src/backends/backend';
import {
  busyBound, coverBusySamples, GpuActivityTracker, gpuUtilizationOf, underUtilized, type GpuActivity,
} from '../../../src/orchestrator/metrics/gpu-activity';
import type { RunRecord } from '../../../src/orchestrator/model/run';
import { emptyState, type OrchestratorState } from '../../../src/orchestrator/store/state';
import { spec } from '../helpers';

const POLICY = { min_gpu_utilization: 10, time_window: 300 };
const S = 1000;
const T0 = Date.UTC(2026, 0, 1);

function runningRun(runningSince: number, over: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'r', name: 'r', spec: spec([], { utilizationPolicy: POLICY }), status: 'running', jobStatus: 'running', submittedAt: T0, statusChangedAt: T0,
    submission: 0, submissionStartedAt: T0, provisionedAt: T0, runningSince, provisionedSubmissionEndedAt: null, nextOfferIndex: 0,
    instanceId: 'i', attempts: [], retryAttempt: 0, retryAt: null, stopRequest: null, jobTerminationReason: null,
    runTerminationReason: null, exitCode: null, lastActivityAt: null, gpuBusyUntil: [], ...over,
  };
}

function views(gpus: number[]): Map<string, ProviderInstance> {
  return new Map([['i', {
    instanceId: 'i', state: 'running', tags: { installation: 'x', runName: 'r', instanceId: 'i' },
    report: { ready: true, gpuUtilization: Math.max(...gpus), metrics: { at: 0, gpus: gpus.map((u) => ({ utilizationPercent: u, memoryUsedBytes: 0, memoryTotalBytes: 1 })) } },
  }]]);
}

function stateOf(run: RunRecord): OrchestratorState {
  return { ...emptyState(), runs: [run] };
}

const activity = (current: number[] | null, lastBusyAt: (number | null)[], firstSampleAt: number | null = 0): GpuActivity => ({ current, lastBusyAt, firstSampleAt });

describe('GPU activity (utilization_policy)', () => {
  it('terminates when some GPU has had no sample at the minimum for a whole, covered window', () => {
    assert.equal(underUtilized(activity([3], [null]), POLICY, 0, 600 * S), true);
    assert.equal(underUtilized(activity([3], [300 * S]), POLICY, 0, 600 * S), false, 'a sample at the window start counts');
    assert.equal(underUtilized(activity([3], [299 * S]), POLICY, 0, 600 * S), true);
    assert.equal(underUtilized(activity([90, 4], [600 * S, null]), POLICY, 0, 600 * S), true, 'any GPU, not the busiest');
    assert.equal(underUtilized(activity([90, 40], [600 * S, 600 * S]), POLICY, 0, 600 * S), false);
    assert.equal(underUtilized(activity(null, [null]), POLICY, 0, 600 * S), false, 'no sample this pass: nothing to judge');
  });

  it('waits until the samples reach back to within a minute of the window start (dstack: not enough points)', () => {
    assert.equal(underUtilized(activity([0], [null], 10 * S), POLICY, 0, 249 * S), false);
    assert.equal(underUtilized(activity([0], [null], 10 * S), POLICY, 0, 250 * S), true);
    assert.equal(underUtilized(activity([0], [null], null), POLICY, 100 * S, 339 * S), false, 'without its own first sample, the run start stands in');
    assert.equal(underUtilized(activity([0], [null], null), POLICY, 100 * S, 340 * S), true);
  });

  it('bounds are whole minutes at or after the busy sample, raised only past the stored one', () => {
    assert.equal(busyBound(T0 + 1), T0 + 60 * S);
    assert.equal(busyBound(T0 + 60 * S), T0 + 60 * S);
    const run = runningRun(T0);
    coverBusySamples(run, activity([50, 5], [T0 + 10 * S, null]));
    assert.deepEqual(run.gpuBusyUntil, [T0 + 60 * S, null], 'one per GPU reported');
    const same = run.gpuBusyUntil;
    coverBusySamples(run, activity([50, 50], [T0 + 50 * S, null]));
    assert.equal(run.gpuBusyUntil, same, 'within the bound: untouched (no state write)');
    coverBusySamples(run, activity([50, 50], [T0 + 70 * S, T0 + 70 * S]));
    assert.deepEqual(run.gpuBusyUntil, [T0 + 120 * S, T0 + 120 * S]);
  });

  it('samples once per 10 s and keeps, per GPU, the last sample at the minimum', () => {
    const tracker = new GpuActivityTracker();
    const run = runningRun(T0);
    tracker.observe(stateOf(run), views([50, 2]), T0 + 1 * S);
    const a = tracker.observe(stateOf(run), views([2, 2]), T0 + 5 * S).get('r');
    assert.deepEqual(a, { current: [2, 2], lastBusyAt: [T0 + 1 * S, null], firstSampleAt: T0 + 1 * S }, 'not due: the idle value is not a sample yet');
    const b = tracker.observe(stateOf(run), views([2, 20]), T0 + 11 * S).get('r');
    assert.deepEqual(b?.lastBusyAt, [T0 + 1 * S, T0 + 11 * S]);
    assert.equal(tracker.observe(stateOf({ ...run, spec: spec([]) }), views([50]), T0 + 30 * S).size, 0, 'runs without a policy are not tracked');
  });

  it('counts bounds another leader left as busy samples, but not its own', () => {
    const tracker = new GpuActivityTracker();
    const run = runningRun(T0);
    tracker.observe(stateOf(run), views([50]), T0 + 10 * S);
    coverBusySamples(run, activity([50], [T0 + 10 * S]));
    tracker.settled(stateOf(run));
    const own = tracker.observe(stateOf(run), views([2]), T0 + 20 * S).get('r');
    assert.deepEqual(own?.lastBusyAt, [T0 + 10 * S], 'its own bound (a minute) does not hide the exact sample');
    const elsewhere = runningRun(T0, { gpuBusyUntil: [T0 + 180 * S] });
    const after = tracker.observe(stateOf(elsewhere), views([2]), T0 + 200 * S).get('r');
    assert.deepEqual(after?.lastBusyAt, [T0 + 180 * S], 'another leader saw it busy meanwhile');
    // A process meeting the run long after it started (a takeover): its coverage is the run's, the bound stands for the past.
    const fresh = new GpuActivityTracker().observe(stateOf(elsewhere), views([2]), T0 + 400 * S).get('r');
    assert.deepEqual(fresh, { current: [2], lastBusyAt: [T0 + 180 * S], firstSampleAt: null });
    assert.equal(underUtilized(fresh as GpuActivity, POLICY, T0, T0 + 400 * S), false);
    assert.equal(underUtilized(fresh as GpuActivity, POLICY, T0, T0 + 481 * S), true);
  });

  it('a state from before per-GPU bounds (one bound, the busiest GPU\'s) covers every GPU reported', () => {
    const migrated = runningRun(T0, { gpuBusyUntil: [T0 + 180 * S] });
    const a = new GpuActivityTracker().observe(stateOf(migrated), views([2, 2]), T0 + 400 * S).get('r');
    assert.deepEqual(a?.lastBusyAt, [T0 + 180 * S, T0 + 180 * S]);
    assert.equal(underUtilized(a as GpuActivity, POLICY, T0, T0 + 400 * S), false);
  });

  it('starts afresh for a new submission', () => {
    const tracker = new GpuActivityTracker();
    tracker.observe(stateOf(runningRun(T0)), views([50]), T0 + 10 * S);
    const next = tracker.observe(stateOf(runningRun(T0 + 100 * S, { submission: 1 })), views([2]), T0 + 110 * S).get('r');
    assert.deepEqual(next, { current: [2], lastBusyAt: [null], firstSampleAt: T0 + 110 * S });
  });

  it('reads each GPU from the metrics sample, else the busiest GPU the report gives', () => {
    assert.deepEqual(gpuUtilizationOf(views([20, 3]).get('i')?.report), [20, 3]);
    assert.deepEqual(gpuUtilizationOf({ ready: true, gpuUtilization: 7 }), [7]);
    assert.equal(gpuUtilizationOf({ ready: true, metrics: { at: 0, gpus: [] } }), null);
    assert.equal(gpuUtilizationOf(undefined), null);
  });
});
