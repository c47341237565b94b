// The scheduler's side of idle instances on backends that run the environment themselves (AWS): every pass
// asks the backend to release an idle instance (stop the environment, keep the machine), a failed release
// terminates it instead, and a reuse hands the new run's job to the backend before the store records it.
// The fake backend gets recording `release`/`reuse` methods here; AWS's own are tested over SSH in the e2e suite.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import type { InstanceJob, ResourceTags } from '../../../src/backends/backend';
import type { Offer } from '../../../src/backends/offer';
import { runInstance } from '../../../src/orchestrator/display';
import { runLogFiles } from '../../../src/orchestrator/logs';
import { requestStop, submitRun } from '../../../src/orchestrator/orchestrator';
import { fakeOffer, spec, tempDir, world } from '../helpers';

type World = Awaited<ReturnType<typeof world>>;

/** Gives the world's fake backend `release` and `reuse`, recording their calls; `fail` makes them throw. */
function recording(w: World): { released: [string, number][]; reused: { tags: ResourceTags; job: InstanceJob; key: string; offer: Offer }[]; fail: { release: boolean; reuse: boolean } } {
  const calls = { released: [] as [string, number][], reused: [] as { tags: ResourceTags; job: InstanceJob; key: string; offer: Offer }[], fail: { release: false, reuse: false } };
  Object.assign(w.fake, {
    release: (instanceId: string, idleDurationSecs: number) => {
      calls.released.push([instanceId, idleDurationSecs]);
      return calls.fail.release ? Promise.reject(new Error('unreachable')) : Promise.resolve();
    },
    reuse: (offer: Offer, tags: ResourceTags, key: string, job: InstanceJob) => {
      calls.reused.push({ offer, tags, key, job });
      return calls.fail.reuse ? Promise.reject(new Error('cannot keep the job')) : Promise.resolve();
    },
  });
  return calls;
}

/** One run on offer `a` taken to running, then stopped gracefully (the instance goes idle). */
async function runAndStop(w: World, offers: Offer[], name: string): Promise<void> {
  await submitRun(w.store, w.clock, spec(offers, { idleDuration: 300, env: { GREETING: 'hi' }, init: ['echo hi'] }), name);
  await w.scheduler.tick();
  await w.scheduler.tick();
  await requestStop(w.store, name, false);
}

describe('scheduler: idle instances on backends that run the environment (release, reuse)', () => {
  it('releases an idle instance with its idle_duration on every idle pass, hands the next run\'s job to reuse, records the reuse as an attempt', async () => {
    const w = await world();
    const calls = recording(w);
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await runAndStop(w, offers, 'one');
    let s = await w.scheduler.tick();
    const inst = s.instances[0];
    assert.equal(inst?.status, 'idle');
    assert.deepEqual(calls.released, [[inst.id, 300]], 'released in the pass the run ended');
    await w.scheduler.tick();
    assert.equal(calls.released.length, 2, 'asked again while idle (the backend makes it a no-op once done)');

    await submitRun(w.store, w.clock, spec(offers, { idleDuration: 600, env: { GREETING: 'again' }, init: ['echo again'] }), 'two');
    s = await w.scheduler.tick();
    const two = s.runs.find((r) => r.name === 'two');
    assert.equal(two?.instanceId, inst.id, 'reused');
    assert.equal(w.fake.allInstances().length, 1, 'no create');
    assert.equal(calls.reused.length, 1);
    const [reuse] = calls.reused;
    assert.deepEqual(reuse?.tags, { installation: s.installation, runName: 'two', instanceId: inst.id }, 'the new run\'s name on the instance\'s id');
    assert.equal(reuse?.job.runId, two?.id);
    assert.deepEqual(reuse?.job.env, { GREETING: 'again' });
    assert.deepEqual(reuse?.job.init, ['echo again']);
    assert.equal(reuse?.offer.instanceType, 'a');
    assert.deepEqual(two?.attempts.map((a) => [a.outcome, a.reusedInstanceId, a.offerIndex, a.pricePerHour]), [['created', inst.id, 0, 1]]);
    const releasedBefore = calls.released.length;
    s = await w.scheduler.tick();
    assert.equal(s.runs.find((r) => r.name === 'two')?.status, 'running');
    assert.equal(calls.released.length, releasedBefore, 'not released once taken');
    // Where its output and its instance are looked up: the reused instance, with the run's own log file.
    await requestStop(w.store, 'two', false);
    s = await w.scheduler.tick();
    const finished = s.runs.find((r) => r.name === 'two');
    assert.equal(finished?.status, 'terminated');
    assert.equal(runInstance(finished as NonNullable<typeof finished>, s.instances)?.id, inst.id, 'ps shows the instance the run was on');
    const logs = tempDir();
    const asked: [string, string | undefined][] = [];
    Object.assign(w.fake, { logFile: (id: string, runId?: string) => { asked.push([id, runId]); const f = `${logs}/${id}.${runId ?? ''}.log`; fs.writeFileSync(f, ''); return f; } });
    assert.equal(runLogFiles(finished as NonNullable<typeof finished>, new Map([['fake', w.fake]])).length, 1);
    assert.deepEqual(asked, [[inst.id, finished?.id]]);
    // Reused instances keep the idle_duration they were created with (spec 6.4): 300, not the second run's 600.
    assert.deepEqual(calls.released.at(-1), [inst.id, 300]);
    w.clock.advance(300);
    s = await w.scheduler.tick();
    assert.equal(s.instances[0]?.terminationReason, 'idle_timeout');
  });

  it('an idle instance its backend cannot release is terminated instead of kept (it might still run the old environment)', async () => {
    const w = await world();
    const calls = recording(w);
    calls.fail.release = true;
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await runAndStop(w, offers, 'one');
    let s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'terminated');
    assert.equal(s.instances[0]?.status, 'terminating');
    assert.equal(s.instances[0]?.terminationReason, 'run_finished');
    s = await w.scheduler.tick();
    assert.equal(s.instances[0]?.status, 'terminated');
    assert.equal(w.fake.liveInstances().length, 0);
  });

  it('a reuse the backend refuses leaves the idle instance idle and creates a new one for the run', async () => {
    const w = await world();
    const calls = recording(w);
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await runAndStop(w, offers, 'one');
    await w.scheduler.tick();
    calls.fail.reuse = true;
    await submitRun(w.store, w.clock, spec(offers, { idleDuration: 300 }), 'two');
    const s = await w.scheduler.tick();
    const two = s.runs.find((r) => r.name === 'two');
    assert.equal(calls.reused.length, 1);
    assert.notEqual(two?.instanceId, s.instances[0]?.id);
    assert.equal(s.instances[0]?.status, 'idle');
    assert.deepEqual(two?.attempts.map((a) => [a.outcome, a.reusedInstanceId]), [['created', undefined]]);
    assert.equal(w.fake.allInstances().length, 2);
  });
});
