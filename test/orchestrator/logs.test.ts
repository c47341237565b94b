import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { Backend } from '../../src/backends/backend';
import type { BackendId } from '../../src/backends/offer';
import { LocalBackend } from '../../src/backends/local/local-backend';
import { EventBus, type OrchestratorEvent } from '../../src/orchestrator/events';
import { LogFollower } from '../../src/orchestrator/logs';
import type { RunRecord } from '../../src/orchestrator/model/run';
import { tempDir } from './helpers';

describe('log follower', function () {
  this.timeout(20_000);

  it('returns only what was appended since the last poll and emits complete lines as log events', async () => {
    const dir = tempDir();
    const local = new LocalBackend(dir);
    const backends = new Map<BackendId, Backend>([['local', local]]);
    const run = { id: 'r1', name: 'logged', attempts: [{ outcome: 'created', backend: 'local', submission: 0, offerIndex: 0 }] } as unknown as RunRecord;
    const offer = { backend: 'local' as const, region: 'local', instanceType: 'h', pricePerHour: 0, availability: 'available' as const, resources: { cpuArch: 'x86' as const, cpus: 1, memoryGB: 1, diskGB: 1, gpus: [], spot: false } };
    await local.create(offer, { installation: 'i', runName: 'logged', instanceId: 'r1-s0-o0' }, '', {
      runId: 'r1', runName: 'logged', init: ['echo one', 'echo two'], env: {}, workingDir: null, inactivityDuration: null, maxDuration: null, leaseFile: path.join(dir, 'none'),
    });
    const events = new EventBus();
    const lines: string[] = [];
    events.on((e: OrchestratorEvent) => {
      if (e.kind === 'log') lines.push(`${e.run}: ${e.line}`);
    });
    const follower = new LogFollower(backends, events);
    let text = '';
    for (let i = 0; i < 100 && !text.includes('two\n'); i++) {
      text += follower.poll(run);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(text, 'one\ntwo\n');
    assert.equal(follower.poll(run), '');
    assert.deepEqual(lines, ['logged: one', 'logged: two']);
    await local.terminate('r1-s0-o0');
  });
});
