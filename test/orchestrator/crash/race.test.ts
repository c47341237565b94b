import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { FakeBackend } from '../../../src/backends/fake/fake-backend';
import { Store } from '../../../src/orchestrator/store/store';
import { fakeOffer, tempDir } from '../helpers';
import { driverBundle, spawnDriver } from './child';

describe('race test: two processes applying and stopping the same runs', function () {
  this.timeout(120_000);

  it('50 rounds each give 0 double provisions and never two active runs with one name', async () => {
    const dir = tempDir('dstack-vsc-race-');
    const bundle = driverBundle(dir);
    const stateDir = path.join(dir, 'state');
    const fakeFile = path.join(dir, 'fake.json');
    const fake = new FakeBackend(fakeFile);
    await fake.script({ offers: [fakeOffer('small', 1), fakeOffer('medium', 2)], createLatencyMs: 10, readyAfterMs: 30, terminateAfterMs: 20 });
    const a = spawnDriver(bundle, [stateDir, fakeFile, 'work', '11', '50']);
    const b = spawnDriver(bundle, [stateDir, fakeFile, 'work', '22', '50']);
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    assert.equal(ea.code, 0, a.output.join('\n'));
    assert.equal(eb.code, 0, b.output.join('\n'));
    const settle = spawnDriver(bundle, [stateDir, fakeFile, 'settle']);
    assert.equal((await settle.exited).code, 0, settle.output.join('\n'));

    const state = await new Store(stateDir).read();
    const all = fake.allInstances();
    const perSubmission = new Map<string, number>();
    for (const i of all) {
      const key = i.instanceId.replace(/-o\d+$/, '');
      perSubmission.set(key, (perSubmission.get(key) ?? 0) + 1);
    }
    const doubles = [...perSubmission.values()].filter((n) => n > 1).length;
    // Two runs with one name may never have been active at once: their lifetimes must not overlap.
    let overlaps = 0;
    for (const name of new Set(state.runs.map((r) => r.name))) {
      const runs = state.runs.filter((r) => r.name === name).sort((x, y) => x.submittedAt - y.submittedAt);
      for (let i = 1; i < runs.length; i++) if ((runs[i] as { submittedAt: number }).submittedAt < (runs[i - 1] as { statusChangedAt: number }).statusChangedAt) overlaps++;
    }
    // Through one id: its outcome is stored once, and every create naming it started while its write-ahead record was
    // still pending (before that outcome was stored). More calls than one are the idempotent retries the contract
    // allows (a leader taking over a pending record); a call after the outcome provisioned the same id again.
    const outcomesById = new Map<string, number[]>();
    for (const run of state.runs) {
      for (const attempt of run.attempts) {
        const id = `${run.id}-s${attempt.submission}-o${attempt.offerIndex}`;
        outcomesById.set(id, [...(outcomesById.get(id) ?? []), attempt.at]);
      }
    }
    const storedTwice = [...outcomesById].filter(([, at]) => at.length > 1).map(([id]) => id);
    const createdAfterOutcome = all.filter((i) => !(i.lastCreateCallAt <= (outcomesById.get(i.instanceId)?.[0] ?? -Infinity))).map((i) => i.instanceId);
    const retries = all.reduce((n, i) => n + i.createCalls - 1, 0);
    const applied = [...a.output, ...b.output].filter((l) => l.startsWith('applied')).length;
    const refused = [...a.output, ...b.output].filter((l) => l.startsWith('exists')).length;
    console.log(`      race figures: rounds=2x50 applied=${applied} refused-duplicate=${refused} runs=${state.runs.length} fake instances=${all.length} double-provisions=${doubles} same-id-creates-after-outcome=${createdAfterOutcome.length} idempotent-create-retries=${retries} overlapping-same-name=${overlaps} leaked=${fake.liveInstances().length}`);
    assert.ok(applied >= 10);
    assert.equal(doubles, 0);
    assert.deepEqual(storedTwice, [], 'an instance id whose outcome was stored twice');
    assert.deepEqual(createdAfterOutcome, [], 'create called for an id after its outcome was stored (or with none stored)');
    assert.equal(overlaps, 0);
    assert.equal(fake.liveInstances().length, 0);
    const known = new Set(state.instances.map((i) => i.id));
    assert.deepEqual(all.filter((i) => !known.has(i.instanceId)), [], 'every fake instance is known to the store');
  });
});
