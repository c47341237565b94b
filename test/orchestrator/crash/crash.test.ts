import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { FakeBackend } from '../../../src/backends/fake/fake-backend';
import { Store } from '../../../src/orchestrator/store/store';
import { fakeOffer, tempDir } from '../helpers';
import { driverBundle, seeded, spawnDriver, waitForLine } from './child';

describe('crash test: SIGKILL at random points of provisioning and stopping', function () {
  this.timeout(170_000);

  it('100 kills and restarts leave 0 leaked fake instances and every run consistent', async () => {
    const dir = tempDir('dstack-vsc-crash-');
    const bundle = driverBundle(dir);
    const stateDir = path.join(dir, 'state');
    const fakeFile = path.join(dir, 'fake.json');
    const fake = new FakeBackend(fakeFile);
    await fake.script({
      offers: [fakeOffer('small', 1), fakeOffer('medium', 2), fakeOffer('large', 3)],
      capacity: { 'fake/fake-1/small': 1 }, createLatencyMs: 15, readyAfterMs: 40, terminateAfterMs: 30,
    });
    const random = seeded(20261128);
    let kills = 0;
    let killedProvisioning = 0;
    let killedStopping = 0;
    let killedRecovering = 0;
    let recoveries = 0;
    let actions = 0;
    for (let k = 0; k < 100; k++) {
      const child = spawnDriver(bundle, [stateDir, fakeFile, 'work', String(k + 1)]);
      // Kill at a random instant of the work itself, not of the process start-up.
      await waitForLine(child, 'ready');
      await new Promise((r) => setTimeout(r, Math.floor(random() * 300)));
      child.proc.kill('SIGKILL');
      const exit = await child.exited;
      assert.equal(exit.signal, 'SIGKILL', `child ${k} ended on its own: ${child.output.join('\n')}`);
      kills++;
      const work = child.output.filter((l) => l !== 'ready');
      actions += work.length;
      // A restart recovers when it takes over the dead leader's state and moves on (it acted at least once).
      if (k > 0 && work.length > 0) recoveries++;
      const last = work.at(-1) ?? '';
      if (last.startsWith('applied') || last.startsWith('exists')) killedProvisioning++;
      else if (last.startsWith('stopped')) killedStopping++;
      else killedRecovering++;
    }
    const settle = spawnDriver(bundle, [stateDir, fakeFile, 'settle']);
    const exit = await settle.exited;
    assert.equal(exit.code, 0, settle.output.join('\n'));
    recoveries++;

    const state = await new Store(stateDir).read();
    const known = new Set(state.instances.map((i) => i.id));
    const all = fake.allInstances();
    const live = fake.liveInstances();
    const neverRecorded = all.filter((i) => !known.has(i.instanceId));
    const orphans = state.instances.filter((i) => i.terminationReason === 'orphan');
    const perSubmission = new Map<string, number>();
    for (const i of all) {
      const key = i.instanceId.replace(/-o\d+$/, '');
      perSubmission.set(key, (perSubmission.get(key) ?? 0) + 1);
    }
    const doubles = [...perSubmission.values()].filter((n) => n > 1).length;
    console.log(`      crash figures: kills=${kills} (after apply ${killedProvisioning}, after stop ${killedStopping}, while recovering ${killedRecovering}) recoveries=${recoveries} actions=${actions} runs=${state.runs.length} fake instances created=${all.length} never-recorded=${neverRecorded.length} orphan-sweeps=${orphans.length} double-provisions=${doubles} leaked=${live.length}`);
    assert.equal(kills, 100);
    assert.ok(state.runs.length >= 10, `the workload made progress (${state.runs.length} runs)`);
    assert.equal(neverRecorded.length, 0, 'write-ahead: every created instance was recorded first');
    assert.equal(live.length, 0, 'leaked fake instances');
    assert.equal(doubles, 0);
    for (const run of state.runs) {
      assert.ok(['terminated', 'failed', 'done'].includes(run.status), `${run.name} ${run.status}`);
      assert.equal(run.instanceId, null);
      assert.ok(run.runTerminationReason !== null, `${run.name} has a termination reason`);
    }
    for (const inst of state.instances) assert.equal(inst.status, 'terminated', `${inst.id}`);
  });
});
