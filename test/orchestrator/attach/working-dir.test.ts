// Where "Open in VS Code" and the CLI's IDE link open: the working dir the environment's agent reported (one
// source of truth for every backend), with dstack's `~/workflow` only for a record that has no report yet.

import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { Backend } from '../../../src/backends/backend';
import { LocalBackend } from '../../../src/backends/local/local-backend';
import type { BackendId } from '../../../src/backends/offer';
import { reportOf } from '../../../src/backends/ssh/agent/agent-refresh';
import { environmentWorkingDir } from '../../../src/orchestrator/attach/attach-text';
import type { InstanceRecord, RunRecord } from '../../../src/orchestrator/model/run';
import { fakeOffer, spec, tempDir } from '../helpers';

function run(workingDir: string | null = null): RunRecord {
  return { id: 'r1', name: 'dev', spec: spec([], { workingDir }), instanceId: 'i1' } as RunRecord;
}

function instance(over: Partial<InstanceRecord>): InstanceRecord {
  return { id: 'i1', backend: 'remote', offer: fakeOffer('host-1', 0), status: 'busy', runId: 'r1', ...over } as InstanceRecord;
}

describe('the environment working dir', () => {
  const none = new Map<BackendId, Backend>();

  it('is what the agent reported: an SSH fleet host (reached through the host) opens the agent\'s repo dir, not ~/workflow', () => {
    const remote = instance({
      ssh: { host: '127.0.0.1', port: 10123, user: 'ubuntu', via: { hostName: '10.200.0.9', port: 22, user: 'ubuntu' } },
      workingDir: '/home/ubuntu/.dstack-vsc/i1/repo',
    });
    assert.equal(environmentWorkingDir(run(), remote, none), '/home/ubuntu/.dstack-vsc/i1/repo');
    assert.equal(environmentWorkingDir(run('src'), instance({ workingDir: '/root/.dstack-vsc/i1/repo/src' }), none), '/root/.dstack-vsc/i1/repo/src');
  });

  it('the agent status becomes the orchestrator\'s report with the working dir', () => {
    assert.equal(reportOf({ state: 'ready', ready: true, stopReason: null, workingDir: '/home/u/.dstack-vsc/i1/repo' }).workingDir, '/home/u/.dstack-vsc/i1/repo');
    assert.equal(reportOf({ state: 'ready', ready: true, stopReason: null }).workingDir, undefined);
  });

  it('before any report: the local instance\'s own folder, else dstack\'s ~/workflow (or working_dir)', () => {
    const state = tempDir();
    const backends = new Map<BackendId, Backend>([['local', new LocalBackend(state)]]);
    const local = instance({ backend: 'local', ssh: { host: '127.0.0.1', port: 2222, user: 'me' } });
    assert.equal(environmentWorkingDir(run(), local, backends), path.join(state, 'local', 'instances', 'i1', 'home', 'workflow'));
    assert.equal(environmentWorkingDir(run(), instance({ backend: 'fake', ssh: { host: 'h', port: 22, user: 'root' } }), none), '/root/workflow');
    assert.equal(environmentWorkingDir(run('./src'), instance({ backend: 'fake', ssh: { host: 'h', port: 22, user: 'u' } }), none), '/home/u/workflow/src');
    assert.equal(environmentWorkingDir(run('/data/app'), instance({ backend: 'fake' }), none), '/data/app');
  });
});
