import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { Backend } from '../../../src/backends/backend';
import type { BackendId } from '../../../src/backends/offer';
import { FakeBackend } from '../../../src/backends/fake/fake-backend';
import { systemClock } from '../../../src/orchestrator/clock';
import { Leader } from '../../../src/orchestrator/scheduler/leader';
import { Scheduler } from '../../../src/orchestrator/scheduler/scheduler';
import { Store } from '../../../src/orchestrator/store/store';
import { fakeOffer, spec, tempDir } from '../helpers';
import { submitRun } from '../../../src/orchestrator/orchestrator';
import { driveUntil } from '../../../src/orchestrator/drive';
import { EventBus, type OrchestratorEvent } from '../../../src/orchestrator/events';

function leader(dir: string, owner: string, ttl: number, events?: EventBus): Leader {
  const store = new Store(path.join(dir, 'state'));
  const backends = new Map<BackendId, Backend>([['fake', new FakeBackend(path.join(dir, 'fake.json'))]]);
  return new Leader(store, new Scheduler({ store, backends, clock: systemClock, owner, ...(events ? { events } : {}) }), owner, { leaseTtlMs: ttl, renewEveryMs: 50 });
}

describe('leader lease', () => {
  it('one leader at a time; release hands over at once; a silent leader is replaced after its lease expires', async () => {
    const dir = tempDir();
    const a = leader(dir, 'a', 300);
    const b = leader(dir, 'b', 300);
    assert.notEqual(await a.step(true), null);
    assert.equal(a.isLeader, true);
    assert.equal(await b.step(true), null);
    assert.equal(b.isLeader, false);
    await a.stop();
    await b.step(true);
    assert.equal(b.isLeader, true, 'released lease taken at once');
    // b goes silent (a hung window): a takes over once the 300 ms lease has expired.
    await a.step(true);
    assert.equal(a.isLeader, false);
    await new Promise((r) => setTimeout(r, 350));
    await a.step(true);
    assert.equal(a.isLeader, true);
    await b.step(true);
    assert.equal(b.isLeader, false, 'the old leader learns it lost the lease');
  });

  it('a steady leader acts on the next step when another process wrote (no waiting for the steady pass)', async () => {
    const dir = tempDir();
    const store = new Store(path.join(dir, 'state'));
    const fake = new FakeBackend(path.join(dir, 'fake.json'));
    await fake.script({ offers: [fakeOffer('a', 1)] });
    const backends = new Map<BackendId, Backend>([['fake', fake]]);
    const l = new Leader(store, new Scheduler({ store, backends, clock: systemClock, owner: 'o' }), 'o', { steadyTickMs: 3_600_000, busyTickMs: 3_600_000 });
    await l.step(true);
    assert.equal(await l.step(), null, 'nothing changed: no pass');
    await submitRun(new Store(store.dir), systemClock, spec([fakeOffer('a', 1)]), 'from-cli');
    const state = await l.step();
    assert.equal(state?.runs[0]?.status, 'provisioning');
    await l.stop();
  });

  it('while a run provisions, passes come every tenth of its provisioning time (at least readyPollMinMs, at most busyTickMs)', async () => {
    const dir = tempDir();
    const store = new Store(path.join(dir, 'state'));
    const fake = new FakeBackend(path.join(dir, 'fake.json'));
    await fake.script({ offers: [fakeOffer('a', 1)], readyAfterMs: 3_600_000 });
    const l = new Leader(store, new Scheduler({ store, backends: new Map<BackendId, Backend>([['fake', fake]]), clock: systemClock, owner: 'o' }), 'o',
      { busyTickMs: 1000, readyPollMinMs: 60, renewEveryMs: 3_600_000 });
    await submitRun(store, systemClock, spec([fakeOffer('a', 1)]), 'slow-boot');
    const first = await l.step(true);
    assert.equal(first?.runs[0]?.status, 'provisioning');
    await new Promise((r) => setTimeout(r, 80));
    assert.notEqual(await l.step(), null, 'just provisioning: the next pass comes after the minimum interval, not busyTickMs');
    // Provisioning for 3 s: a tenth of it is 300 ms.
    const since = first?.runs[0]?.statusChangedAt as number;
    await new Promise((r) => setTimeout(r, Math.max(0, since + 3000 - Date.now())));
    await l.step(true);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(await l.step(), null, 'after 3 s of provisioning: no pass 80 ms after the last');
    await new Promise((r) => setTimeout(r, 300));
    assert.notEqual(await l.step(), null, 'a pass once a tenth of the provisioning time has passed');
    await l.stop();
  });

  it('after a pass that could not reach an instance the next pass comes at the recheck interval, not the steady one', async () => {
    const dir = tempDir();
    const store = new Store(path.join(dir, 'state'));
    const fake = new FakeBackend(path.join(dir, 'fake.json'));
    await fake.script({ offers: [fakeOffer('a', 1)] });
    const scheduler = new Scheduler({ store, backends: new Map<BackendId, Backend>([['fake', fake]]), clock: systemClock, owner: 'o' });
    const l = new Leader(store, scheduler, 'o', { steadyTickMs: 3_600_000, recheckTickMs: 50 });
    await submitRun(store, systemClock, spec([fakeOffer('a', 1)]), 'outage');
    await driveUntil(l, store, (s) => s.runs[0]?.status === 'running', { pollMs: 10, timeoutMs: 10_000 });
    await l.step(true);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(await l.step(), null, 'steady and reachable: no pass before the steady interval');

    await fake.script({ unreachable: true });
    const during = await l.step(true);
    assert.equal(scheduler.sawUnreachable, true);
    assert.equal(during?.runs[0]?.status, 'running', 'an unreachable instance is not a lost one');
    await new Promise((r) => setTimeout(r, 80));
    assert.notEqual(await l.step(), null, 'rechecked after the recheck interval');

    await fake.script({ unreachable: false });
    await new Promise((r) => setTimeout(r, 80));
    assert.notEqual(await l.step(), null, 'the pass after the heal');
    assert.equal(scheduler.sawUnreachable, false);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(await l.step(), null, 'reachable again: back to the steady interval');
    await l.stop();
  });

  it('a process that does not lead tells what the leader did as the same events on its own bus', async () => {
    const dir = tempDir();
    const fake = new FakeBackend(path.join(dir, 'fake.json'));
    await fake.script({ offers: [fakeOffer('a', 1), fakeOffer('b', 2)], capacity: { 'fake/fake-1/a': 0 } });
    const led: OrchestratorEvent[] = [];
    const followed: OrchestratorEvent[] = [];
    const aEvents = new EventBus();
    const bEvents = new EventBus();
    aEvents.on((e) => led.push(e));
    bEvents.on((e) => followed.push(e));
    const a = leader(dir, 'a', 60_000, aEvents);
    const b = leader(dir, 'b', 60_000, bEvents);
    await a.step(true);
    await b.step(true);
    assert.equal(b.isLeader, false);
    await submitRun(new Store(path.join(dir, 'state')), systemClock, spec([fakeOffer('a', 1), fakeOffer('b', 2)]), 'dev');
    await a.step(true);
    assert.equal(followed.length, 0);
    await b.step(true);
    const ofRun = (events: OrchestratorEvent[]) => events.filter((e) => e.kind !== 'instance_status');
    assert.deepEqual(ofRun(followed).map((e) => e.kind), ['progress', 'attempt', 'progress', 'attempt', 'run_status']);
    assert.deepEqual(ofRun(followed), ofRun(led));
    await a.stop();
    await b.stop();
  });

  it('a follower tries the lease once per renewal period instead of spinning', async () => {
    const dir = tempDir();
    const a = leader(dir, 'a', 60_000);
    await a.step(true);
    const store = new Store(path.join(dir, 'state'));
    const b = new Leader(store, new Scheduler({ store, backends: new Map(), clock: systemClock, owner: 'b' }), 'b', { renewEveryMs: 300 });
    let tries = 0;
    const acquire = store.acquireLease.bind(store);
    store.acquireLease = async (...args) => {
      tries++;
      return acquire(...args);
    };
    b.start();
    await new Promise((r) => setTimeout(r, 1000));
    await b.stop();
    assert.equal(b.isLeader, false);
    assert.ok(tries >= 1 && tries <= 5, `${tries} lease tries in 1 s with a 300 ms renewal period`);
    await a.stop();
  });
});
