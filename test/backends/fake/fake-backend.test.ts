import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BackendError } from '../../../src/backends/backend';
import { FakeBackend } from '../../../src/backends/fake/fake-backend';
import { ManualClock } from '../../../src/orchestrator/clock';
import { fakeOffer, tempDir } from '../../orchestrator/helpers';

const TAGS = (id: string) => ({ installation: 'inst', runName: 'r', instanceId: id });

describe('fake backend (Backend contract)', () => {
  it('create is idempotent on instanceId and persists to disk for other processes', async () => {
    const file = path.join(tempDir(), 'fake.json');
    const fake = new FakeBackend(file);
    const a = await fake.create(fakeOffer('x', 1), TAGS('i-1'));
    const b = await fake.create(fakeOffer('x', 1), TAGS('i-1'));
    assert.equal(a.instanceId, b.instanceId);
    const other = new FakeBackend(file);
    assert.equal(other.allInstances().length, 1);
    assert.equal(other.allInstances()[0]?.createCalls, 2);
    assert.deepEqual(other.allInstances()[0]?.tags, TAGS('i-1'));
    assert.ok(!fs.readdirSync(path.dirname(file)).some((n) => n.includes('.tmp-')));
  });

  it('refresh reports unknown and terminated instances as gone (a value, not an error); terminate is idempotent', async () => {
    const clock = new ManualClock();
    const fake = new FakeBackend(path.join(tempDir(), 'fake.json'), clock);
    await fake.script({ readyAfterMs: 10_000, terminateAfterMs: 5_000 });
    await fake.create(fakeOffer('x', 1), TAGS('i-1'));
    assert.deepEqual((await fake.refresh(['i-1', 'nope'])).map((p) => p.state), ['pending', 'gone']);
    clock.advance(10);
    assert.equal((await fake.refresh(['i-1']))[0]?.state, 'running');
    await fake.terminate('i-1');
    await fake.terminate('i-1');
    await fake.terminate('never-existed');
    assert.equal((await fake.refresh(['i-1']))[0]?.state, 'stopping');
    clock.advance(5);
    assert.equal((await fake.refresh(['i-1']))[0]?.state, 'gone');
    assert.deepEqual(await fake.listTagged('inst'), []);
  });

  it('capacity per offer, scripted failures with codes, spot interruption at a time, tags for listTagged', async () => {
    const clock = new ManualClock();
    const fake = new FakeBackend(path.join(tempDir(), 'fake.json'), clock);
    await fake.script({ capacity: { 'fake/fake-1/x/spot': 1 }, failures: { 'fake/fake-1/y': { code: 'quota', message: 'over quota' } } });
    await fake.create(fakeOffer('x', 1, true), TAGS('i-1'));
    await assert.rejects(fake.create(fakeOffer('x', 1, true), TAGS('i-2')), (e: unknown) => e instanceof BackendError && e.code === 'no_capacity');
    await assert.rejects(fake.create(fakeOffer('y', 1), TAGS('i-3')), (e: unknown) => e instanceof BackendError && e.code === 'quota' && e.message === 'over quota');
    assert.equal(fake.allInstances().length, 1, 'a refused create creates nothing');
    await fake.create(fakeOffer('z', 1), { installation: 'other', runName: 'r', instanceId: 'i-4' });
    assert.deepEqual((await fake.listTagged('inst')).map((p) => p.instanceId), ['i-1']);
    await fake.interrupt('i-1', clock.now() + 30_000);
    clock.advance(30);
    const [view] = await fake.refresh(['i-1']);
    assert.equal(view?.state, 'gone');
    assert.equal(view?.interrupted, true);
    await fake.create(fakeOffer('x', 1, true), TAGS('i-5'));
  });
});
