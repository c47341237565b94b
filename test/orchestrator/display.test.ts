import { strict as assert } from 'node:assert';
import { errorText, finalMessage, relativeTime, shortDuration, statusMessage } from '../../src/orchestrator/display';
import type { RunRecord } from '../../src/orchestrator/model/run';

function run(over: Partial<RunRecord>): RunRecord {
  return { ...({} as RunRecord), status: 'running', jobStatus: 'running', jobTerminationReason: null, runTerminationReason: null, exitCode: null, ...over };
}

describe('display (messages derived from codes)', () => {
  it('status messages as dstack derives them', () => {
    assert.equal(statusMessage(run({ status: 'done', jobStatus: 'done', jobTerminationReason: 'done_by_runner' })), 'exited (0)');
    assert.equal(statusMessage(run({ status: 'failed', jobStatus: 'failed', jobTerminationReason: 'container_exited_with_error', exitCode: 3 })), 'exited (3)');
    assert.equal(statusMessage(run({ status: 'failed', jobStatus: 'failed', jobTerminationReason: 'failed_to_start_due_to_no_capacity' })), 'no capacity');
    assert.equal(statusMessage(run({ status: 'failed', jobStatus: 'failed', jobTerminationReason: 'interrupted_by_no_capacity' })), 'interrupted');
    assert.equal(statusMessage(run({ status: 'failed', jobStatus: 'failed', jobTerminationReason: 'instance_unreachable' })), 'error');
    assert.equal(statusMessage(run({ status: 'terminated', jobStatus: 'terminated', jobTerminationReason: 'terminated_by_user' })), 'stopped');
    assert.equal(statusMessage(run({ status: 'terminated', jobStatus: 'aborted', jobTerminationReason: 'aborted_by_user' })), 'aborted');
    assert.equal(statusMessage(run({ status: 'pending', jobStatus: 'failed', jobTerminationReason: 'failed_to_start_due_to_no_capacity' })), 'retrying');
    assert.equal(statusMessage(run({ status: 'provisioning', jobStatus: 'provisioning' })), 'provisioning');
  });

  it('final messages and error texts', () => {
    assert.equal(finalMessage(run({ status: 'done', jobStatus: 'terminated', jobTerminationReason: 'inactivity_duration_exceeded' })), 'Terminated (Inactivity duration exceeded)');
    assert.equal(finalMessage(run({ status: 'failed', jobStatus: 'failed', jobTerminationReason: 'instance_unreachable' })), 'Error (Instance unreachable)');
    assert.equal(finalMessage(run({ status: 'failed', jobStatus: 'failed', jobTerminationReason: 'failed_to_start_due_to_no_capacity' })), 'No capacity');
    assert.equal(errorText(run({ status: 'failed', jobStatus: 'failed', jobTerminationReason: 'failed_to_start_due_to_no_capacity', runTerminationReason: 'retry_limit_exceeded' })), 'retry limit exceeded');
  });

  it('relative times and short durations', () => {
    const now = Date.UTC(2026, 0, 10);
    assert.equal(relativeTime(now - 2000, now), 'now');
    assert.equal(relativeTime(now - 30_000, now), '30 sec ago');
    assert.equal(relativeTime(now - 60_000, now), '1 min ago');
    assert.equal(relativeTime(now - 8 * 60_000, now), '8 mins ago');
    assert.equal(relativeTime(now - 2 * 3_600_000, now), '2 hours ago');
    assert.equal(relativeTime(now - 26 * 3_600_000, now), 'yesterday');
    assert.equal(relativeTime(now - 3 * 86_400_000, now), '3 days ago');
    assert.equal(shortDuration(154), '2m 34s');
    assert.equal(shortDuration(0), '0s');
    assert.equal(shortDuration(3600), '1h');
  });
});
