// A provider that accepted `create` and later says the instance will never start (ProviderInstance.startFailure:
// a Kubernetes pod no node can take, an image that cannot be pulled): no capacity fails over to the next offer as
// a refused create does, with the provider's message recorded as an attempt; a container error ends the job.

import { strict as assert } from 'node:assert';
import type { StartFailureCode } from '../../../src/backends/backend';
import { errorText, statusMessage } from '../../../src/orchestrator/display';
import type { OrchestratorEvent } from '../../../src/orchestrator/events';
import { submitRun } from '../../../src/orchestrator/orchestrator';
import { fakeOffer, spec, world } from '../helpers';

/** The fake's refresh, with `failure` on the instances of offer `instanceType`. */
function failOn(w: Awaited<ReturnType<typeof world>>, instanceType: string, failure: { code: StartFailureCode; message: string }): void {
  const original = w.fake.refresh.bind(w.fake);
  w.fake.refresh = async (ids) => {
    const ofType = new Set(w.fake.allInstances().filter((i) => i.offerKey.endsWith(`/${instanceType}`)).map((i) => i.instanceId));
    return (await original(ids)).map((v) => (ofType.has(v.instanceId) && v.state !== 'gone' ? { ...v, report: { ready: false }, startFailure: failure } : v));
  };
}

describe('scheduler: an instance the provider will never start', () => {
  it('no capacity after create fails over to the next offer, the provider\'s message recorded as an attempt', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1), fakeOffer('b', 2)];
    await w.fake.script({ offers, readyAfterMs: 60_000 });
    const events: OrchestratorEvent[] = [];
    w.scheduler.events.on((e) => events.push(e));
    await submitRun(w.store, w.clock, spec(offers), 'dev');
    let s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'provisioning');
    const first = s.runs[0]?.instanceId as string;
    failOn(w, 'a', { code: 'no_capacity', message: 'kubernetes: pod p cannot be scheduled on node a: 0/1 nodes are available: 1 Insufficient cpu.' });
    w.clock.advance(30);
    s = await w.scheduler.tick();
    const run = s.runs[0];
    assert.deepEqual(run?.attempts.map((a) => [a.instanceType, a.outcome]), [['a', 'created'], ['a', 'no_capacity'], ['b', 'created']]);
    assert.match(run?.attempts[1]?.error ?? '', /cannot be scheduled on node a: 0\/1 nodes are available/);
    assert.equal(run?.status, 'provisioning', 'provisioning again, on the next offer');
    assert.notEqual(run?.instanceId, first);
    assert.equal(s.instances.find((i) => i.offer.instanceType === 'b')?.id, run?.instanceId);
    const old = s.instances.find((i) => i.id === first);
    assert.ok(old?.status === 'terminating' || old?.status === 'terminated', `the refused instance is terminated (${old?.status})`);
    assert.equal(old?.terminationReason, 'create_failed');
    assert.deepEqual(w.fake.liveInstances().map((i) => i.offerKey), ['fake/fake-1/b'], 'terminate was called on the refused instance');
    const attempts = events.filter((e) => e.kind === 'attempt').map((e) => (e.kind === 'attempt' ? e.attempt.outcome : ''));
    assert.deepEqual(attempts, ['created', 'no_capacity', 'created'], 'followers see the refusal as an attempt');
  });

  it('no capacity on the last offer fails the run as no capacity', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers, readyAfterMs: 60_000 });
    await submitRun(w.store, w.clock, spec(offers), 'dev');
    await w.scheduler.tick();
    failOn(w, 'a', { code: 'no_capacity', message: 'node a is full' });
    w.clock.advance(30);
    await w.scheduler.tick();
    const s = await w.scheduler.tick();
    const run = s.runs[0];
    assert.equal(run?.status, 'failed');
    assert.equal(run?.jobTerminationReason, 'failed_to_start_due_to_no_capacity');
    assert.equal(run && statusMessage(run), 'no capacity');
    assert.deepEqual(run?.attempts.map((a) => [a.instanceType, a.outcome, a.error ?? '']), [['a', 'created', ''], ['a', 'no_capacity', 'node a is full']]);
  });

  it('no capacity is retried by a retry policy on no-capacity, like a refused create', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers, readyAfterMs: 60_000 });
    await submitRun(w.store, w.clock, spec(offers, { retry: { on_events: ['no-capacity'], duration: 3600 } }), 'dev');
    await w.scheduler.tick();
    failOn(w, 'a', { code: 'no_capacity', message: 'node a is full' });
    w.clock.advance(30);
    await w.scheduler.tick();
    const s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'pending', 'waiting for the resubmission');
  });

  it('a container that cannot be created ends the job (creating_container_error) without trying other offers', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1), fakeOffer('b', 2)];
    await w.fake.script({ offers, readyAfterMs: 60_000 });
    await submitRun(w.store, w.clock, spec(offers), 'dev');
    await w.scheduler.tick();
    failOn(w, 'a', { code: 'container_error', message: 'kubernetes: cannot pull image registry.example/no-such:1 for pod p: ErrImagePull: not found' });
    w.clock.advance(30);
    const s = await w.scheduler.tick();
    const run = s.runs[0];
    assert.equal(run?.status, 'failed');
    assert.equal(run?.jobTerminationReason, 'creating_container_error');
    assert.equal(run && statusMessage(run), 'error');
    assert.equal(run && errorText(run), 'runner error');
    assert.deepEqual(run?.attempts.map((a) => [a.instanceType, a.outcome]), [['a', 'created'], ['a', 'invalid']]);
    assert.match(run?.attempts[1]?.error ?? '', /cannot pull image registry\.example\/no-such:1 .*ErrImagePull/);
    assert.deepEqual(w.fake.liveInstances(), [], 'nothing left running, and b never created');
  });
});
