// The status bar's figures: cost so far, the countdown to the inactivity auto-stop, projected cost, extend.
import * as assert from 'node:assert/strict';
import type { InstanceRecord, RunRecord } from '../../src/orchestrator/model/run';
import { costSoFar, extendedInactivity, formatCost, projectedCost, secondsUntilAutoStop, statusBarText } from '../../src/vscode/run-figures';
import { followedRun } from '../../src/vscode/status-bar';
import type { OrchestratorState } from '../../src/orchestrator/store/state';

const T0 = Date.UTC(2026, 0, 1);

function run(over: Partial<RunRecord> = {}, inactivity: number | null = 3600): RunRecord {
  return {
    id: 'r1', name: 'dev', status: 'running', jobStatus: 'running', submittedAt: T0, statusChangedAt: T0, submission: 0, submissionStartedAt: T0,
    provisionedAt: T0, runningSince: T0, provisionedSubmissionEndedAt: null, nextOfferIndex: 1, instanceId: 'i1', attempts: [], retryAttempt: 0, retryAt: null,
    stopRequest: null, jobTerminationReason: null, runTerminationReason: null, exitCode: null, lastActivityAt: T0 + 20 * 60_000, gpuBusyUntil: [],
    spec: { inactivityDuration: inactivity } as RunRecord['spec'], ...over,
  };
}

const instance = { id: 'i1', offer: { pricePerHour: 1.2 } } as InstanceRecord;

suite('status bar figures', () => {
  test('cost so far is price x time since provisioning', () => {
    assert.equal(costSoFar(run(), 1.2, T0 + 30 * 60_000, false), 0.6);
    assert.equal(costSoFar(run({ statusChangedAt: T0 + 60 * 60_000 }), 1.2, T0 + 5 * 3_600_000, true), 1.2, 'finished: until it ended');
    assert.equal(costSoFar(run({ provisionedAt: null }), 1.2, T0, false), null);
    assert.equal(formatCost(0.6), '$0.60');
    assert.equal(formatCost(null), '-');
  });

  test('the countdown is inactivity_duration minus the time since the last activity; off when unset', () => {
    const now = T0 + 30 * 60_000;
    assert.equal(secondsUntilAutoStop(run(), now), 3000);
    assert.equal(secondsUntilAutoStop(run(), now + 1000), 2999, 'it ticks between reports');
    assert.equal(secondsUntilAutoStop(run({ lastActivityAt: T0 - 9_999_000 }), now), 0);
    assert.equal(secondsUntilAutoStop(run({ lastActivityAt: null }), now), 3600, 'no report yet: the full duration');
    assert.equal(secondsUntilAutoStop(run({}, null), now), null);
    assert.equal(secondsUntilAutoStop(run({ status: 'provisioning' }), now), null);
  });

  test('projected cost until auto-stop and the extended timeout', () => {
    assert.equal(projectedCost(1.5, 7200), 3);
    assert.equal(projectedCost(1.5, null), null);
    assert.equal(extendedInactivity(7200), 14400);
    assert.equal(extendedInactivity(600), 4200);
    assert.equal(extendedInactivity(null), 3600);
  });

  test('the text shows the run, the countdown and the cost', () => {
    assert.equal(statusBarText(run(), [instance], T0 + 30 * 60_000), '$(server-environment) dev · stops in 50m · $0.60');
    assert.equal(statusBarText(run({ status: 'provisioning', provisionedAt: null, instanceId: null }), [], T0), '$(server-environment) dev · provisioning');
  });

  test('it follows the attached run, else the newest active one', () => {
    const state = { runs: [run({ name: 'a', submittedAt: T0 }), run({ name: 'b', submittedAt: T0 + 1 }), run({ name: 'c', status: 'terminated', submittedAt: T0 + 2 })], instances: [] } as unknown as OrchestratorState;
    assert.equal(followedRun(state, null)?.name, 'b');
    assert.equal(followedRun(state, 'a')?.name, 'a');
    assert.equal(followedRun(state, 'c')?.name, 'b', 'a finished attached run is not followed');
  });
});
