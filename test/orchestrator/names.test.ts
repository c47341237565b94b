import { strict as assert } from 'node:assert';
import { generateRunName, runNameError } from '../../src/orchestrator/names';
import { JOB_TERMINATION_REASONS, jobStatusOf, retryEventOf, runStatusOf } from '../../src/orchestrator/model/status';

describe('run names', () => {
  it('validates given names', () => {
    assert.equal(runNameError('vscode'), null);
    assert.equal(runNameError('my-dev-2'), null);
    for (const bad of ['a', 'Dev', '1dev', 'dev_env', 'x'.repeat(42)]) assert.match(runNameError(bad) ?? '', /invalid run name/);
  });

  it('generates <adjective>-<animal>-<n> with the first free n', () => {
    const pick = () => 0;
    assert.equal(generateRunName(new Set(), pick), 'bright-ant-1');
    assert.equal(generateRunName(new Set(['bright-ant-1', 'bright-ant-2']), pick), 'bright-ant-3');
    assert.match(generateRunName(new Set()), /^[a-z]+-[a-z]+-1$/);
  });
});

describe('status model', () => {
  it('maps reasons to final statuses and retry events as dstack does', () => {
    assert.equal(jobStatusOf('failed_to_start_due_to_no_capacity'), 'failed');
    assert.equal(retryEventOf('failed_to_start_due_to_no_capacity'), 'no-capacity');
    assert.equal(retryEventOf('interrupted_by_no_capacity'), 'interruption');
    assert.equal(retryEventOf('instance_unreachable'), 'error');
    assert.equal(jobStatusOf('inactivity_duration_exceeded'), 'terminated');
    assert.equal(jobStatusOf('aborted_by_user'), 'aborted');
    assert.equal(runStatusOf('stopped_by_user'), 'terminated');
    assert.equal(runStatusOf('retry_limit_exceeded'), 'failed');
    assert.equal(Object.keys(JOB_TERMINATION_REASONS).length, 21);
  });
});
