import { strict as assert } from 'node:assert';
import type { OrchestratorEvent } from '../../src/orchestrator/events';
import { requestStop, submitRun } from '../../src/orchestrator/orchestrator';
import { eventsBetween } from '../../src/orchestrator/state-events';
import type { OrchestratorState } from '../../src/orchestrator/store/state';
import { fakeOffer, spec, world } from './helpers';

type World = Awaited<ReturnType<typeof world>>;

const runEvents = (events: OrchestratorEvent[]) => events.filter((e) => e.kind !== 'instance_status');
const lastStatus = (events: OrchestratorEvent[]) => {
  const out = new Map<string, string>();
  for (const e of events) if (e.kind === 'instance_status') out.set(e.instance, e.status);
  return out;
};

/**
 * One scheduler pass, checked: the run events derived from the snapshots before and after it are exactly the
 * events the scheduler emitted, and each instance ends at the status it last announced.
 */
async function tick(w: World, emitted: OrchestratorEvent[]): Promise<OrchestratorState> {
  const before = await w.store.read();
  emitted.length = 0;
  const after = await w.scheduler.tick();
  const derived = eventsBetween(before, after);
  assert.deepEqual(runEvents(derived), runEvents(emitted));
  assert.deepEqual(lastStatus(derived), lastStatus(emitted));
  return after;
}

async function recorded(): Promise<{ w: World; emitted: OrchestratorEvent[] }> {
  const w = await world();
  const emitted: OrchestratorEvent[] = [];
  w.scheduler.events.on((e) => emitted.push(e));
  return { w, emitted };
}

describe('events derived from successive store snapshots (followers of another process\'s scheduler)', () => {
  it('one pass apart they are the scheduler\'s own: failover attempts, provisioning, running, stop', async () => {
    const { w, emitted } = await recorded();
    const offers = [fakeOffer('a', 1), fakeOffer('b', 2), fakeOffer('c', 3)];
    await w.fake.script({ offers, capacity: { 'fake/fake-1/a': 0 }, failures: { 'fake/fake-1/b': { code: 'quota', message: 'quota exceeded' } }, readyAfterMs: 10_000 });
    await submitRun(w.store, w.clock, spec(offers, { idleDuration: 300 }), 'dev');
    let s = await tick(w, emitted);
    assert.deepEqual(emitted.filter((e) => e.kind === 'attempt').length, 3);
    w.clock.advance(10);
    s = await tick(w, emitted);
    assert.equal(s.runs[0]?.status, 'running');
    await requestStop(w.store, 'dev', false);
    s = await tick(w, emitted);
    assert.equal(s.runs[0]?.status, 'terminated');
    assert.ok(emitted.some((e) => e.kind === 'progress' && e.stage === 'stopping'));
  });

  it('one pass apart: init in progress (pulling), failure, retry and resubmission, abort', async () => {
    const { w, emitted } = await recorded();
    const offers = [fakeOffer('a', 1, true)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers, { retry: { on_events: ['interruption', 'no-capacity', 'error'], duration: 3600 } }), 'dev');
    let s = await tick(w, emitted);
    // Host up, init still running: the job is pulling.
    const original = w.fake.refresh.bind(w.fake);
    w.fake.refresh = async (ids) => (await original(ids)).map((v) => (v.report ? { ...v, report: { ...v.report, ready: false } } : v));
    s = await tick(w, emitted);
    assert.equal(s.runs[0]?.jobStatus, 'pulling');
    w.fake.refresh = original;
    s = await tick(w, emitted);
    await w.fake.interrupt(s.runs[0]?.instanceId as string);
    await w.fake.script({ capacity: { 'fake/fake-1/a/spot': 0 } });
    s = await tick(w, emitted);
    assert.equal(s.runs[0]?.status, 'pending');
    w.clock.advance(15);
    s = await tick(w, emitted); // resubmitted, no capacity
    s = await tick(w, emitted); // pending again
    assert.deepEqual([s.runs[0]?.status, s.runs[0]?.submission], ['pending', 1]);
    await w.fake.script({ capacity: {} });
    w.clock.advance(30);
    s = await tick(w, emitted);
    assert.equal(s.runs[0]?.status, 'provisioning');
    await requestStop(w.store, 'dev', true);
    s = await tick(w, emitted);
    assert.equal(s.runs[0]?.jobStatus, 'aborted');
  });

  it('passes a snapshot skipped collapse into their changes, keeping the steps they imply', async () => {
    const { w } = await recorded();
    const offers = [fakeOffer('a', 1), fakeOffer('b', 2)];
    await w.fake.script({ offers, capacity: { 'fake/fake-1/a': 0 } });
    const start = await w.store.read();
    await submitRun(w.store, w.clock, spec(offers), 'dev');
    await w.scheduler.tick();
    const running = await w.scheduler.tick();
    const summary = (events: OrchestratorEvent[]) => runEvents(events).map((e) =>
      e.kind === 'run_status' ? `${e.status}/${e.jobStatus}` : e.kind === 'attempt' ? `attempt ${e.attempt.instanceType} ${e.attempt.outcome}` : e.kind === 'progress' ? e.stage : e.kind);
    assert.deepEqual(summary(eventsBetween(start, running)), [
      'provisioning', 'attempt a no_capacity', 'provisioning', 'attempt b created', 'provisioning/provisioning', 'running/running', 'ready',
    ]);
    await requestStop(w.store, 'dev', false);
    const stopped = await w.scheduler.tick();
    assert.deepEqual(summary(eventsBetween(running, stopped)), ['terminating/terminating', 'stopping', 'terminated/terminated', 'finished']);
    assert.deepEqual(summary(eventsBetween(start, stopped)), [
      'provisioning', 'attempt a no_capacity', 'provisioning', 'attempt b created', 'provisioning/provisioning', 'terminating/terminating', 'stopping', 'terminated/terminated', 'finished',
    ]);
    assert.deepEqual(eventsBetween(stopped, stopped), [], 'nothing changed, nothing to tell');
  });
});
