import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProviderInstance } from '../../../src/backends/backend';
import {
  gpuUtilizationOf, nextWindow, underUtilized, UtilizationWindows, type GpuSample,
} from '../../../src/orchestrator/metrics/utilization-window';
import { emptyState, type OrchestratorState } from '../../../src/orchestrator/store/state';
import type { RunRecord } from '../../../src/orchestrator/model/run';
import { spec, tempDir } from '../helpers';

const POLICY = { min_gpu_utilization: 10, time_window: 300 };
const S = 1000;

/** Samples every 10 s from `from` to `to` (seconds), each GPU's value from `value(t)`. */
function samples(from: number, to: number, value: (t: number) => number[]): GpuSample[] {
  const out: GpuSample[] = [];
  for (let t = from; t <= to; t += 10) out.push({ at: t * S, gpus: value(t) });
  return out;
}

function runningRun(id: string, runningSince: number): RunRecord {
  return {
    id, name: id, spec: spec([], { utilizationPolicy: POLICY }), status: 'running', jobStatus: 'running', submittedAt: 0, statusChangedAt: 0,
    submission: 0, submissionStartedAt: 0, provisionedAt: 0, runningSince, provisionedSubmissionEndedAt: null, nextOfferIndex: 0,
    instanceId: `${id}-i`, attempts: [], retryAttempt: 0, retryAt: null, stopRequest: null, jobTerminationReason: null,
    runTerminationReason: null, exitCode: null, lastActivityAt: null,
  };
}

function view(instanceId: string, gpus: number[]): ProviderInstance {
  return {
    instanceId, state: 'running', tags: { installation: 'i', runName: 'r', instanceId },
    report: { ready: true, gpuUtilization: Math.max(...gpus), metrics: { at: 0, gpus: gpus.map((u) => ({ utilizationPercent: u, memoryUsedBytes: 0, memoryTotalBytes: 1 })) } },
  };
}

describe('utilization window (utilization_policy)', () => {
  it('terminates when some GPU stayed below the minimum in every sample of a covered window', () => {
    const idle = samples(0, 600, () => [3]);
    assert.equal(underUtilized(idle, POLICY, 0, 600 * S), true);
    const oneBusy = samples(0, 600, (t) => [t === 400 ? 10 : 3]);
    assert.equal(underUtilized(oneBusy, POLICY, 0, 600 * S), false, 'a sample at the minimum in the window keeps it');
    assert.equal(underUtilized(oneBusy, POLICY, 0, 701 * S), true, 'once that sample left the window');
    assert.equal(underUtilized(samples(0, 600, () => [90, 4]), POLICY, 0, 600 * S), true, 'any GPU, not the busiest');
    assert.equal(underUtilized(samples(0, 600, () => [90, 40]), POLICY, 0, 600 * S), false);
  });

  it('waits until the samples reach back to within a minute of the window start (dstack: not enough points)', () => {
    assert.equal(underUtilized(samples(0, 239, () => [0]), POLICY, 0, 239 * S), false);
    assert.equal(underUtilized(samples(0, 240, () => [0]), POLICY, 0, 240 * S), true);
    assert.equal(underUtilized([], POLICY, 0, 600 * S), false, 'no samples: nothing to judge');
    // A gap in sampling (agent unreachable) longer than a minute at the window start: not judged.
    const gap = samples(0, 600, () => [0]).filter((s) => s.at < 100 * S || s.at > 380 * S);
    assert.equal(underUtilized(gap, POLICY, 0, 600 * S), false);
  });

  it('ignores samples of an earlier submission (before the job was running)', () => {
    const earlier = samples(0, 600, () => [0]);
    assert.equal(underUtilized(earlier, POLICY, 500 * S, 600 * S), false);
    assert.equal(underUtilized(earlier, POLICY, 360 * S, 600 * S), true);
  });

  it('keeps one sample per 10 s, only the window and only this submission', () => {
    const kept = samples(0, 300, () => [5]);
    assert.equal(nextWindow(kept, { at: 305 * S, gpus: [5] }, 300, 0), null, 'not due 5 s after the last');
    const next = nextWindow(kept, { at: 310 * S, gpus: [5] }, 300, 0) as GpuSample[];
    assert.deepEqual([next[0]?.at, next.at(-1)?.at, next.length], [10 * S, 310 * S, 31]);
    assert.deepEqual(nextWindow(kept, { at: 305 * S, gpus: [5] }, 300, 302 * S), [{ at: 305 * S, gpus: [5] }], 'a new submission starts afresh');
  });

  it('reads each GPU from the metrics sample, else the busiest GPU the report gives', () => {
    assert.deepEqual(gpuUtilizationOf(view('i', [20, 3]).report), [20, 3]);
    assert.deepEqual(gpuUtilizationOf({ ready: true, gpuUtilization: 7 }), [7]);
    assert.equal(gpuUtilizationOf({ ready: true, metrics: { at: 0, gpus: [] } }), null);
    assert.equal(gpuUtilizationOf(undefined), null);
  });

  it('records only runs with a policy, beside the state; sees what another leader wrote; removes the file when the run stops', () => {
    const dir = tempDir();
    const state: OrchestratorState = { ...emptyState(), runs: [runningRun('gpu', 0), { ...runningRun('plain', 0), spec: spec([]) }] };
    const views = new Map([['gpu-i', view('gpu-i', [50])], ['plain-i', view('plain-i', [50])]]);
    const a = new UtilizationWindows(dir);
    assert.deepEqual([...a.recordPass(state, views, 10 * S).keys()], ['gpu']);
    assert.deepEqual(a.recordPass(state, views, 15 * S).get('gpu')?.map((s) => s.at), [10 * S], 'not due yet');
    assert.deepEqual(fs.readdirSync(path.join(dir, 'metrics')), ['gpu.gpu.json']);
    // Another process leads for a while and records; this one's memory must not hide its samples.
    const b = new UtilizationWindows(dir);
    b.recordPass(state, views, 20 * S);
    b.recordPass(state, views, 30 * S);
    assert.deepEqual(a.recordPass(state, views, 40 * S).get('gpu')?.map((s) => s.at / S), [10, 20, 30, 40]);
    a.recordPass({ ...state, runs: [{ ...runningRun('gpu', 0), status: 'terminated' }] }, views, 50 * S);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'metrics')), []);
  });
});
