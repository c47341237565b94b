import { strict as assert } from 'node:assert';
import { fakeOffer, spec, world } from '../helpers';
import { instancesWithoutRun, requestInstanceTermination, requestStop, submitRun, updateInPlace } from '../../../src/orchestrator/orchestrator';
import { RETRY_BACKOFF_SECS } from '../../../src/orchestrator/scheduler/transitions';
import type { OrchestratorEvent } from '../../../src/orchestrator/events';
import { inactiveSecs, type RunRecord } from '../../../src/orchestrator/model/run';
import { Scheduler } from '../../../src/orchestrator/scheduler/scheduler';
import type { ManualClock } from '../../../src/orchestrator/clock';
import { planDevEnvironment } from '../../../src/orchestrator/plan';
import { validateText } from '../../../src/schema';
import type { DevEnvironmentConfiguration } from '../../../src/schema/model';

/** Moves the manual clock forward to `at` (epoch ms). */
function advanceTo(clock: ManualClock, at: number): void {
  clock.advance((at - clock.now()) / 1000);
}

describe('scheduler (manual clock, fake backend)', () => {
  it('provisions the first offer, then runs once the agent is ready', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1), fakeOffer('b', 2)];
    await w.fake.script({ offers, readyAfterMs: 30_000 });
    await submitRun(w.store, w.clock, spec(offers), 'dev');
    let s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'provisioning');
    assert.equal(s.instances[0]?.status, 'provisioning');
    assert.deepEqual(s.runs[0]?.attempts.map((a) => [a.instanceType, a.outcome]), [['a', 'created']]);
    w.clock.advance(29);
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'provisioning');
    w.clock.advance(1);
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'running');
    assert.equal(s.runs[0]?.jobStatus, 'running');
    assert.equal(s.instances[0]?.status, 'busy');
    assert.ok(s.instances[0]?.ssh);
  });

  it('host up but init still running: the job is pulling, then running once the agent reports ready', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers, initExitCode: 0 });
    await submitRun(w.store, w.clock, spec(offers), 'dev');
    let s = await w.scheduler.tick();
    const id = s.instances[0]?.id as string;
    // The fake reports ready with init; drop readiness by hand to see the intermediate stage.
    const events: string[] = [];
    w.scheduler.events.on((e) => {
      if (e.kind === 'progress') events.push(e.stage);
    });
    await w.store.update((st) => {
      st.runs[0]!.jobStatus = 'provisioning';
    });
    const original = w.fake.refresh.bind(w.fake);
    w.fake.refresh = async (ids) => (await original(ids)).map((v) => (v.report ? { ...v, report: { ...v.report, ready: false } } : v));
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'provisioning');
    assert.equal(s.runs[0]?.jobStatus, 'pulling');
    w.fake.refresh = original;
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.jobStatus, 'running');
    assert.deepEqual(events, ['running_init', 'ready']);
    assert.equal(s.instances[0]?.id, id);
  });

  it('fails over to the next offer on no capacity and records every attempt', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1), fakeOffer('b', 2), fakeOffer('c', 3)];
    await w.fake.script({ offers, capacity: { 'fake/fake-1/a': 0 }, failures: { 'fake/fake-1/b': { code: 'quota', message: 'quota exceeded' } } });
    const events: OrchestratorEvent[] = [];
    w.scheduler.events.on((e) => events.push(e));
    await submitRun(w.store, w.clock, spec(offers), 'dev');
    const s = await w.scheduler.tick();
    assert.deepEqual(s.runs[0]?.attempts.map((a) => [a.instanceType, a.outcome]), [['a', 'no_capacity'], ['b', 'quota'], ['c', 'created']]);
    assert.equal(s.runs[0]?.attempts[1]?.error, 'quota exceeded');
    assert.equal(events.filter((e) => e.kind === 'attempt').length, 3);
    assert.equal(w.fake.liveInstances().length, 1);
    assert.equal(s.instances.filter((i) => i.status === 'terminating' && i.terminationReason === 'create_failed').length, 2);
    const s2 = await w.scheduler.tick();
    assert.equal(s2.instances.filter((i) => i.status === 'terminated').length, 2);
  });

  it('without retry, no capacity fails cleanly with failed_to_start_due_to_no_capacity', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers, capacity: { 'fake/fake-1/a': 0 } });
    await submitRun(w.store, w.clock, spec(offers), 'dev');
    await w.scheduler.tick();
    const s = await w.scheduler.tick();
    const run = s.runs[0];
    assert.equal(run?.status, 'failed');
    assert.equal(run?.jobStatus, 'failed');
    assert.equal(run?.jobTerminationReason, 'failed_to_start_due_to_no_capacity');
    assert.equal(run?.runTerminationReason, 'job_failed');
    assert.equal(w.fake.liveInstances().length, 0);
  });

  it('with no offers at all, fails with no capacity', async () => {
    const w = await world();
    await submitRun(w.store, w.clock, spec([]), 'dev');
    await w.scheduler.tick();
    const s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.jobTerminationReason, 'failed_to_start_due_to_no_capacity');
  });

  it('retries no-capacity with dstack backoff within duration, then fails with retry_limit_exceeded', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers, capacity: { 'fake/fake-1/a': 0 } });
    await submitRun(w.store, w.clock, spec(offers, { retry: { on_events: ['no-capacity'], duration: 100 } }), 'dev');
    await w.scheduler.tick();
    let s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'pending');
    assert.equal(s.runs[0]?.retryAt, w.clock.now() + RETRY_BACKOFF_SECS[0] * 1000);
    w.clock.advance(14);
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'pending');
    w.clock.advance(1);
    s = await w.scheduler.tick(); // resubmitted, fails again
    assert.equal(s.runs[0]?.submission, 1);
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'pending');
    assert.equal(s.runs[0]?.retryAt, w.clock.now() + 30_000);
    w.clock.advance(30);
    await w.scheduler.tick();
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.retryAt, w.clock.now() + 60_000);
    w.clock.advance(60); // run age 105 s > 100 s
    await w.scheduler.tick();
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'failed');
    assert.equal(s.runs[0]?.runTerminationReason, 'retry_limit_exceeded');
  });

  it('a retried run provisions once capacity appears', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers, capacity: { 'fake/fake-1/a': 0 } });
    await submitRun(w.store, w.clock, spec(offers, { retry: { on_events: ['no-capacity', 'interruption', 'error'], duration: 3600 } }), 'dev');
    await w.scheduler.tick();
    await w.scheduler.tick();
    await w.fake.script({ capacity: {} });
    w.clock.advance(15);
    const s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'provisioning');
    assert.equal(s.runs[0]?.submission, 1);
  });

  it('spot interruption: the job fails with interrupted_by_no_capacity and is retried on interruption', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1, true)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers, { retry: { on_events: ['interruption'], duration: 600 } }), 'dev');
    let s = await w.scheduler.tick();
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'running');
    await w.fake.interrupt(s.instances[0]?.id as string, w.clock.now() + 60_000);
    w.clock.advance(60);
    s = await w.scheduler.tick();
    assert.equal(s.instances[0]?.status, 'terminating');
    assert.equal(s.instances[0]?.terminationReason, 'interrupted');
    assert.equal(s.runs[0]?.jobTerminationReason, 'interrupted_by_no_capacity');
    assert.equal(s.runs[0]?.status, 'pending');
    w.clock.advance(15);
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'provisioning');
    assert.equal(w.fake.liveInstances().length, 1);
  });

  it('a spot run interrupted after running 2 h is retried: retry.duration counts from the interruption, then runs out an hour later', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1, true)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers, { retry: { on_events: ['interruption', 'no-capacity'], duration: 3600 } }), 'dev');
    await w.scheduler.tick();
    let s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'running');
    w.clock.advance(7200);
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'running');
    await w.fake.interrupt(s.instances[0]?.id as string);
    await w.fake.script({ capacity: { 'fake/fake-1/a/spot': 0 } });
    const interruptedAt = w.clock.now();
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.jobTerminationReason, 'interrupted_by_no_capacity');
    assert.equal(s.runs[0]?.status, 'pending', 'two hours after provisioning, but just interrupted: retried');
    // Every resubmission finds no capacity; they are retried until an hour after the interruption.
    let lastPendingAt = interruptedAt;
    for (let i = 0; i < 20 && s.runs[0]?.status === 'pending'; i++) {
      lastPendingAt = w.clock.now();
      advanceTo(w.clock, s.runs[0]?.retryAt as number);
      await w.scheduler.tick(); // resubmitted; no capacity
      s = await w.scheduler.tick();
    }
    assert.equal(s.runs[0]?.status, 'failed');
    assert.equal(s.runs[0]?.runTerminationReason, 'retry_limit_exceeded');
    assert.ok(lastPendingAt - interruptedAt <= 3_600_000 && w.clock.now() - interruptedAt > 3_600_000, `retried until ${(lastPendingAt - interruptedAt) / 1000} s, failed at ${(w.clock.now() - interruptedAt) / 1000} s after the interruption`);
    assert.ok((s.runs[0]?.submission ?? 0) > 5, 'the no-capacity resubmissions were retried from the interruption on');
  });

  it('retry on error: an instance lost while running (instance_unreachable) is resubmitted on a new instance', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers, { retry: { on_events: ['error'], duration: 600 } }), 'dev');
    await w.scheduler.tick();
    let s = await w.scheduler.tick();
    const first = s.instances[0]?.id as string;
    w.clock.advance(3600);
    await w.fake.terminate(first); // deleted behind our back
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.jobTerminationReason, 'instance_unreachable');
    assert.equal(s.runs[0]?.status, 'pending');
    assert.equal(s.runs[0]?.retryAt, w.clock.now() + RETRY_BACKOFF_SECS[0] * 1000);
    w.clock.advance(RETRY_BACKOFF_SECS[0]);
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.submission, 1);
    assert.equal(s.runs[0]?.status, 'provisioning');
    assert.notEqual(s.runs[0]?.instanceId, first);
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'running');
    assert.equal(s.instances.find((i) => i.id === first)?.status, 'terminated');
    assert.equal(w.fake.liveInstances().length, 1);
  });

  it('retry: true retries all three events (no-capacity, interruption, error) for an hour', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers, capacity: { 'fake/fake-1/a': 0 } });
    const parsed = validateText('type: dev-environment\nide: vscode\nretry: true\n', 'retry.dstack.yml');
    const plan = await planDevEnvironment(parsed.configuration as DevEnvironmentConfiguration, {
      configurationPath: 'retry.dstack.yml', envOverrides: {}, processEnv: {}, secrets: {}, backends: [w.fake],
    });
    assert.deepEqual(plan.spec.retry, { on_events: ['no-capacity', 'interruption', 'error'], duration: 3600 });
    await submitRun(w.store, w.clock, plan.spec, 'dev');
    await w.scheduler.tick();
    let s = await w.scheduler.tick();
    assert.deepEqual([s.runs[0]?.status, s.runs[0]?.jobTerminationReason], ['pending', 'failed_to_start_due_to_no_capacity']);
    await w.fake.script({ capacity: {} });
    advanceTo(w.clock, s.runs[0]?.retryAt as number);
    await w.scheduler.tick();
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'running');
    await w.fake.interrupt(s.runs[0]?.instanceId as string);
    s = await w.scheduler.tick();
    assert.deepEqual([s.runs[0]?.status, s.runs[0]?.jobTerminationReason], ['pending', 'interrupted_by_no_capacity']);
    advanceTo(w.clock, s.runs[0]?.retryAt as number);
    await w.scheduler.tick();
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'running');
    await w.fake.terminate(s.runs[0]?.instanceId as string);
    s = await w.scheduler.tick();
    assert.deepEqual([s.runs[0]?.status, s.runs[0]?.jobTerminationReason], ['pending', 'instance_unreachable']);
    // From that error on, no capacity for over an hour: the run fails with retry_limit_exceeded.
    await w.fake.script({ capacity: { 'fake/fake-1/a': 0 } });
    const erroredAt = w.clock.now();
    for (let i = 0; i < 20 && s.runs[0]?.status === 'pending'; i++) {
      advanceTo(w.clock, s.runs[0]?.retryAt as number);
      await w.scheduler.tick();
      s = await w.scheduler.tick();
    }
    assert.equal(s.runs[0]?.runTerminationReason, 'retry_limit_exceeded');
    assert.ok(w.clock.now() - erroredAt > 3_600_000);
    assert.equal(w.fake.liveInstances().length, 0);
  });

  it('stop while pending (waiting for a retry) ends the run stopped and never resubmits it', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers, capacity: { 'fake/fake-1/a': 0 } });
    await submitRun(w.store, w.clock, spec(offers, { retry: { on_events: ['no-capacity'], duration: 3600 } }), 'dev');
    await w.scheduler.tick();
    let s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'pending');
    const retryAt = s.runs[0]?.retryAt as number;
    await w.fake.script({ capacity: {} });
    await requestStop(w.store, 'dev', false);
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'terminated');
    assert.equal(s.runs[0]?.jobStatus, 'terminated');
    assert.equal(s.runs[0]?.runTerminationReason, 'stopped_by_user');
    assert.equal(s.runs[0]?.retryAt, null);
    advanceTo(w.clock, retryAt + 60_000);
    s = await w.scheduler.tick();
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'terminated');
    assert.equal(s.runs[0]?.submission, 0, 'never resubmitted');
    assert.equal(w.fake.allInstances().length, 0, 'nothing was created');
  });

  it('an idle instance found gone by refresh is closed, and a new run gets a new instance instead of reusing it', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers, { idleDuration: 3600 }), 'one');
    await w.scheduler.tick();
    await w.scheduler.tick();
    await requestStop(w.store, 'one', false);
    let s = await w.scheduler.tick();
    const idle = s.instances[0]?.id as string;
    assert.equal(s.instances[0]?.status, 'idle');
    await w.fake.terminate(idle); // gone behind our back (reclaimed, deleted in the console)
    await submitRun(w.store, w.clock, spec(offers, { idleDuration: 3600 }), 'two');
    s = await w.scheduler.tick();
    const gone = s.instances.find((i) => i.id === idle);
    assert.equal(gone?.status, 'terminating');
    assert.equal(gone?.terminationReason, 'gone');
    assert.equal(gone?.runId, null);
    assert.notEqual(s.runs[1]?.instanceId, idle, 'the gone instance is not reused');
    assert.equal(s.runs[1]?.status, 'provisioning');
    s = await w.scheduler.tick();
    assert.equal(s.instances.find((i) => i.id === idle)?.status, 'terminated');
    assert.equal(s.runs[1]?.status, 'running');
  });

  it('inactivity_duration stops the dev environment from reported inactivity; activity resets it', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers, { inactivityDuration: 600 }), 'dev');
    let s = await w.scheduler.tick();
    s = await w.scheduler.tick();
    const id = s.instances[0]?.id as string;
    w.clock.advance(500);
    await w.fake.touch(id);
    w.clock.advance(500);
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'running');
    assert.equal(inactiveSecs(s.runs[0] as RunRecord, w.clock.now()), 500);
    w.clock.advance(100);
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'done');
    assert.equal(s.runs[0]?.jobStatus, 'terminated');
    assert.equal(s.runs[0]?.jobTerminationReason, 'inactivity_duration_exceeded');
  });

  it('a steady idle run is not rewritten on every pass: the last activity is a time, not a counter', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers, { inactivityDuration: 3600 }), 'dev');
    let s = await w.scheduler.tick();
    s = await w.scheduler.tick();
    w.clock.advance(30);
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'running');
    const revision = s.revision;
    for (let i = 0; i < 5; i++) {
      w.clock.advance(5);
      s = await w.scheduler.tick();
    }
    assert.equal(s.revision, revision, 'no write while nothing but the idle time grows');
    assert.equal(inactiveSecs(s.runs[0] as RunRecord, w.clock.now()), 55);
  });

  it('inactivity_duration updated in place takes effect on the next pass', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers, { inactivityDuration: 3600 }), 'dev');
    await w.scheduler.tick();
    await w.scheduler.tick();
    w.clock.advance(120);
    let s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'running');
    await updateInPlace(w.store, 'dev', spec(offers, { inactivityDuration: 60 }));
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.jobTerminationReason, 'inactivity_duration_exceeded');
  });

  it('max_duration terminates the run', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers, { maxDuration: 3600 }), 'dev');
    await w.scheduler.tick();
    await w.scheduler.tick();
    w.clock.advance(3599);
    let s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'running');
    w.clock.advance(1);
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.jobTerminationReason, 'max_duration_exceeded');
    assert.equal(s.runs[0]?.jobStatus, 'terminated');
  });

  it('utilization_policy terminates only after a whole window below the minimum', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers, { utilizationPolicy: { min_gpu_utilization: 10, time_window: 300 } }), 'dev');
    let s = await w.scheduler.tick();
    const id = s.instances[0]?.id as string;
    await w.fake.setGpuUtilization(id, 50);
    s = await w.scheduler.tick();
    for (let t = 0; t < 5; t++) {
      w.clock.advance(60);
      s = await w.scheduler.tick();
    }
    assert.equal(s.runs[0]?.status, 'running', 'busy GPU keeps the run');
    await w.fake.setGpuUtilization(id, 3);
    for (let t = 0; t < 5; t++) {
      w.clock.advance(60);
      s = await w.scheduler.tick();
      assert.equal(s.runs[0]?.status, 'running', `sample ${t}: window still holds a busy sample`);
    }
    w.clock.advance(60);
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.jobTerminationReason, 'terminated_due_to_utilization_policy');
  });

  it('GPU runs with a utilization policy do not rewrite the state on every pass: busy GPUs move a minute bound, idle ones nothing', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1), fakeOffer('b', 1)];
    await w.fake.script({ offers });
    const policy = { utilizationPolicy: { min_gpu_utilization: 10, time_window: 1800 } };
    await submitRun(w.store, w.clock, spec([offers[0]!], policy), 'busy');
    await submitRun(w.store, w.clock, spec([offers[1]!], policy), 'idle');
    let s = await w.scheduler.tick();
    await w.fake.setGpuUtilization(s.runs[0]?.instanceId as string, [50, 70]);
    await w.fake.setGpuUtilization(s.runs[1]?.instanceId as string, [2, 3]);
    s = await w.scheduler.tick();
    w.clock.advance(10);
    s = await w.scheduler.tick();
    assert.deepEqual(s.runs.map((r) => r.status), ['running', 'running']);
    const revision = s.revision;
    for (let i = 0; i < 12; i++) {
      w.clock.advance(10);
      s = await w.scheduler.tick();
    }
    assert.ok(s.revision - revision <= 2, `${s.revision - revision} state writes in 12 passes over two minutes`);
    const busyUntil = s.runs[0]?.gpuBusyUntil ?? [];
    assert.equal(busyUntil.length, 2);
    assert.ok(busyUntil.every((at) => at !== null && at >= w.clock.now() && at - w.clock.now() < 60_000), 'the bound covers the last busy sample by under a minute');
    assert.deepEqual(s.runs[1]?.gpuBusyUntil, [], 'idle GPUs write nothing');
  });

  it('utilization_policy across a takeover: the new leader never terminates before a whole idle window, and at most a minute late', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers, { utilizationPolicy: { min_gpu_utilization: 10, time_window: 300 } }), 'dev');
    let s = await w.scheduler.tick();
    const id = s.instances[0]?.id as string;
    await w.fake.setGpuUtilization(id, 80);
    for (let t = 0; t <= 400; t += 10) {
      s = await w.scheduler.tick();
      w.clock.advance(10);
    }
    const lastBusy = w.clock.now() - 10_000;
    await w.fake.setGpuUtilization(id, 1);
    for (let t = 0; t < 120; t += 10) {
      s = await w.scheduler.tick();
      w.clock.advance(10);
    }
    // Another process takes over (a window reload): it never saw the busy samples, only the state.
    const next = new Scheduler({ store: w.store, backends: new Map([['fake', w.fake]]), clock: w.clock, owner: w.owner });
    while (s.runs[0]?.status === 'running') {
      s = await next.tick();
      if (s.runs[0]?.status === 'running') w.clock.advance(10);
    }
    assert.equal(s.runs[0]?.jobTerminationReason, 'terminated_due_to_utilization_policy');
    const idleFor = w.clock.now() - lastBusy;
    assert.ok(idleFor > 300_000 && idleFor <= 370_000, `terminated ${idleFor / 1000} s after the last busy sample (window 300 s)`);
  });

  it('utilization_policy: one GPU idle for the whole window terminates the run even while another is busy (any GPU, spec)', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers, { utilizationPolicy: { min_gpu_utilization: 10, time_window: 300 } }), 'dev');
    let s = await w.scheduler.tick();
    await w.fake.setGpuUtilization(s.instances[0]?.id as string, [95, 2]);
    s = await w.scheduler.tick();
    // Samples from 10 s on; dstack judges once they reach back to within a minute of the window's start (at 250 s).
    for (let t = 10; t < 250; t += 10) {
      w.clock.advance(10);
      s = await w.scheduler.tick();
      assert.equal(s.runs[0]?.status, 'running', `${t} s: the window is not covered yet`);
    }
    w.clock.advance(10);
    s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.jobTerminationReason, 'terminated_due_to_utilization_policy');
  });

  it('init failing ends the job failed with container_exited_with_error and the exit code', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers, initExitCode: 3 });
    await submitRun(w.store, w.clock, spec(offers), 'dev');
    await w.scheduler.tick();
    const s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'failed');
    assert.equal(s.runs[0]?.jobTerminationReason, 'container_exited_with_error');
    assert.equal(s.runs[0]?.exitCode, 3);
    assert.equal(s.instances[0]?.status, 'terminating');
  });

  it('provisioning that never becomes ready ends with waiting_runner_limit_exceeded', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers, readyAfterMs: 3_600_000 });
    await submitRun(w.store, w.clock, spec(offers), 'dev');
    await w.scheduler.tick();
    w.clock.advance(600);
    const s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.jobTerminationReason, 'waiting_runner_limit_exceeded');
  });

  it('graceful stop keeps a reusable instance idle for idle_duration; the next matching run reuses it', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers, { idleDuration: 300 }), 'one');
    await w.scheduler.tick();
    await w.scheduler.tick();
    await requestStop(w.store, 'one', false);
    let s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'terminated');
    assert.equal(s.runs[0]?.jobStatus, 'terminated');
    assert.equal(s.runs[0]?.runTerminationReason, 'stopped_by_user');
    assert.equal(s.instances[0]?.status, 'idle');
    await submitRun(w.store, w.clock, spec(offers, { idleDuration: 300 }), 'two');
    s = await w.scheduler.tick();
    assert.equal(s.runs[1]?.instanceId, s.instances[0]?.id, 'reused the idle instance');
    assert.equal(w.fake.allInstances().length, 1);
    s = await w.scheduler.tick();
    assert.equal(s.runs[1]?.status, 'running');
    await requestStop(w.store, 'two', false);
    s = await w.scheduler.tick();
    assert.equal(s.instances[0]?.status, 'idle');
    w.clock.advance(300);
    s = await w.scheduler.tick();
    assert.equal(s.instances[0]?.terminationReason, 'idle_timeout');
    s = await w.scheduler.tick();
    assert.equal(s.instances[0]?.status, 'terminated');
    assert.equal(w.fake.liveInstances().length, 0);
  });

  it('an idle instance is listed as without a run and terminated on request; a run\'s own instance is refused', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers, { idleDuration: -1 }), 'one');
    await w.scheduler.tick();
    let s = await w.scheduler.tick();
    const id = s.instances[0]?.id as string;
    assert.equal(s.runs[0]?.status, 'running');
    assert.deepEqual(instancesWithoutRun(s), []);
    assert.equal(await requestInstanceTermination(w.store, w.clock, id), 'in-use');
    await requestStop(w.store, 'one', false);
    s = await w.scheduler.tick();
    assert.equal(s.instances[0]?.status, 'idle', 'idle_duration off: kept until terminated by hand');
    assert.deepEqual(instancesWithoutRun(s).map((i) => i.id), [id]);
    assert.equal(await requestInstanceTermination(w.store, w.clock, 'no-such'), 'not-found');
    assert.equal(await requestInstanceTermination(w.store, w.clock, id), 'terminating');
    assert.equal(await requestInstanceTermination(w.store, w.clock, id), 'already-terminating');
    s = await w.store.read();
    assert.equal(s.instances[0]?.terminationReason, 'terminated_by_user');
    assert.deepEqual(instancesWithoutRun(s).map((i) => i.id), [id], 'still listed while it is being terminated');
    await w.scheduler.tick();
    s = await w.scheduler.tick();
    assert.equal(s.instances[0]?.status, 'terminated');
    assert.deepEqual(instancesWithoutRun(s), []);
    assert.equal(w.fake.liveInstances().length, 0);
  });

  it('abort never keeps the instance and ends the job aborted', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers, { idleDuration: 300 }), 'dev');
    await w.scheduler.tick();
    await w.scheduler.tick();
    await requestStop(w.store, 'dev', true);
    const s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.jobStatus, 'aborted');
    assert.equal(s.runs[0]?.runTerminationReason, 'aborted_by_user');
    assert.equal(s.instances[0]?.terminationReason, 'aborted');
    assert.equal(w.fake.liveInstances().length, 0);
  });

  it('stop before provisioning finishes the run without creating anything', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers), 'dev');
    await requestStop(w.store, 'dev', false);
    const s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'terminated');
    assert.equal(w.fake.allInstances().length, 0);
  });

  it('a stored instance the backend no longer has is marked gone, and its run fails as unreachable', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    await submitRun(w.store, w.clock, spec(offers), 'dev');
    await w.scheduler.tick();
    let s = await w.scheduler.tick();
    await w.fake.terminate(s.instances[0]?.id as string); // someone deleted it behind our back
    s = await w.scheduler.tick();
    assert.equal(s.instances[0]?.terminationReason, 'gone');
    assert.equal(s.runs[0]?.jobTerminationReason, 'instance_unreachable');
    assert.equal(s.runs[0]?.status, 'failed');
  });

  it('orphan sweep terminates tagged instances the store does not know', async () => {
    const w = await world();
    const state = await w.store.read();
    const offer = fakeOffer('a', 1);
    await w.fake.create(offer, { installation: state.installation, runName: 'lost', instanceId: 'lost-1' });
    await w.fake.create(offer, { installation: 'someone-else', runName: 'x', instanceId: 'other-1' });
    assert.equal(await w.scheduler.reconcile(), 1);
    let s = await w.store.read();
    assert.equal(s.instances[0]?.terminationReason, 'orphan');
    s = await w.scheduler.tick();
    s = await w.scheduler.tick();
    assert.equal(s.instances[0]?.status, 'terminated');
    assert.deepEqual(w.fake.liveInstances().map((i) => i.instanceId), ['other-1']);
  });

  it('write-ahead: a create that happened before a crash is picked up again by its idempotency key', async () => {
    const w = await world();
    const offers = [fakeOffer('a', 1)];
    await w.fake.script({ offers });
    const run = await submitRun(w.store, w.clock, spec(offers), 'dev');
    // Simulate the crash window: the record is written, create ran, the result was never stored.
    const id = `${run.id}-s0-o0`;
    await w.store.update((s) => {
      const now = w.clock.now();
      s.instances.push({ id, backend: 'fake', offer: offers[0]!, status: 'pending', runId: run.id, createdForRun: 'dev', createdAt: now, statusChangedAt: now, idleSince: null, idleDuration: 0, terminationReason: null });
      s.runs[0]!.instanceId = id;
    });
    const st = await w.store.read();
    await w.fake.create(offers[0]!, { installation: st.installation, runName: 'dev', instanceId: id });
    const s = await w.scheduler.tick();
    assert.equal(s.runs[0]?.status, 'provisioning');
    assert.equal(w.fake.allInstances().length, 1);
    assert.equal(w.fake.allInstances()[0]?.createCalls, 2);
  });

  it('every write is fenced by the lease: a scheduler that lost it changes nothing', async () => {
    const w = await world();
    await w.fake.script({ offers: [fakeOffer('a', 1)] });
    await submitRun(w.store, w.clock, spec([fakeOffer('a', 1)]), 'dev');
    await w.store.releaseLease(w.owner);
    await assert.rejects(w.scheduler.tick(), /lease lost/);
    assert.equal(w.fake.allInstances().length, 0);
  });
});
