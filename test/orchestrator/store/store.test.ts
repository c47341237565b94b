import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../helpers';
import { Store, defaultStateDir } from '../../../src/orchestrator/store/store';
import { StateFileError, STATE_VERSION } from '../../../src/orchestrator/store/state';
import { withFileLock } from '../../../src/orchestrator/store/lock';

describe('state store', () => {
  it('creates the state once with a stable installation id and counts revisions', async () => {
    const store = new Store(tempDir());
    const a = await store.read();
    const b = await new Store(store.dir).read();
    assert.equal(a.installation, b.installation);
    assert.equal(a.version, STATE_VERSION);
    await store.update((s) => s.runs.length);
    assert.equal((await store.read()).revision, a.revision, 'an update that changes nothing writes nothing');
    await store.update((s) => {
      s.instances = [];
      s.runs.push({ id: 'r', name: 'n', status: 'done' } as never);
    });
    assert.equal((await store.read()).revision, a.revision + 1);
  });

  it('leaves no temp files behind and writes 0600', async () => {
    const store = new Store(tempDir());
    for (let i = 0; i < 5; i++) await store.update((s) => s.instances.push({ id: `i${i}`, backend: 'fake', status: 'terminated' } as never));
    assert.deepEqual(fs.readdirSync(store.dir).filter((n) => n.includes('.tmp-')), []);
    assert.equal(fs.statSync(store.stateFile).mode & 0o777, 0o600);
  });

  it('serializes concurrent updates: no lost increment', async () => {
    const store = new Store(tempDir());
    await store.read();
    const other = new Store(store.dir);
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? store : other).update((s) => {
      s.instances.push({ id: `i${i}`, backend: 'fake', status: 'terminated' } as never);
    })));
    const s = await store.read();
    assert.equal(s.revision, 41);
    assert.equal(s.instances.length, 40);
  });

  it('a truncated state file is a clear error naming the file, with a backup kept', async () => {
    const store = new Store(tempDir());
    await store.read();
    const good = fs.readFileSync(store.stateFile, 'utf8');
    fs.writeFileSync(store.stateFile, good.slice(0, Math.floor(good.length / 2)));
    await assert.rejects(store.read(), (err: Error) => {
      assert.ok(err instanceof StateFileError);
      assert.match(err.message, new RegExp(`${store.stateFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: it is not valid JSON`));
      assert.match(err.message, /A copy is kept at .*state\.json\.corrupt-/);
      return true;
    });
    await assert.rejects(store.update(() => undefined), StateFileError);
    const backups = fs.readdirSync(store.dir).filter((n) => n.startsWith('state.json.corrupt-'));
    assert.equal(backups.length, 1, 'one backup per distinct content');
    assert.equal(fs.readFileSync(path.join(store.dir, backups[0] as string), 'utf8'), good.slice(0, Math.floor(good.length / 2)));
    assert.equal(fs.readFileSync(store.stateFile, 'utf8').length, Math.floor(good.length / 2), 'the broken file is not overwritten');
  });

  it('an empty file, a wrong shape, and a newer version are each named precisely', async () => {
    const store = new Store(tempDir());
    fs.writeFileSync(store.stateFile, '');
    await assert.rejects(store.read(), /empty \(truncated\)/);
    fs.writeFileSync(store.stateFile, JSON.stringify({ version: 1, revision: 1, installation: 'x', runs: {}, instances: [] }));
    await assert.rejects(store.read(), /field 'runs' must be a list/);
    fs.writeFileSync(store.stateFile, JSON.stringify({ version: 99, revision: 1, installation: 'x', runs: [], instances: [] }));
    await assert.rejects(store.read(), /newer vscode-dstack \(state version 99/);
  });

  it('migrates a version-0 file', async () => {
    const store = new Store(tempDir());
    fs.writeFileSync(store.stateFile, JSON.stringify({ revision: 3, installation: 'vsc-old', runs: [] }));
    const s = await store.read();
    assert.equal(s.version, STATE_VERSION);
    assert.deepEqual(s.instances, []);
    assert.equal(s.installation, 'vsc-old');
  });

  it('migrates a version-1 file: the inactivity counter becomes a last-activity time, filled by the next report', async () => {
    const store = new Store(tempDir());
    const v1Run = { id: 'r1', name: 'dev', status: 'running', inactiveSecs: 42, utilization: [] };
    fs.writeFileSync(store.stateFile, JSON.stringify({ version: 1, revision: 7, installation: 'vsc-old', runs: [v1Run], instances: [] }));
    const s = await store.read();
    assert.equal(s.version, STATE_VERSION);
    const run = s.runs[0] as unknown as Record<string, unknown>;
    assert.equal(run['lastActivityAt'], null);
    assert.equal('inactiveSecs' in run, false);
    assert.equal(run['name'], 'dev');
  });

  it('migrates a version-2 file: the retry clock starts when the last provisioned submission ended, not when it got its instance', async () => {
    const store = new Store(tempDir());
    const base = { status: 'running', statusChangedAt: 5000, provisionedAt: 1000, lastProvisionedAt: 1000 };
    const v2Runs = [
      // Waiting for a retry after its provisioned submission ended (at its status change).
      { ...base, id: 'r1', name: 'interrupted', status: 'pending', statusChangedAt: 7_200_000 },
      // A later submission without an instance: when the provisioned one ended is unknown; the old start is kept.
      { ...base, id: 'r2', name: 'resubmitted', status: 'submitted', provisionedAt: null },
      // Never had an instance: the run's age stays the clock.
      { ...base, id: 'r3', name: 'no-capacity', status: 'pending', provisionedAt: null, lastProvisionedAt: null },
    ];
    fs.writeFileSync(store.stateFile, JSON.stringify({ version: 2, revision: 7, installation: 'vsc-old', runs: v2Runs, instances: [] }));
    const s = await store.read();
    assert.equal(s.version, STATE_VERSION);
    assert.deepEqual(s.runs.map((r) => r.provisionedSubmissionEndedAt), [7_200_000, 1000, null]);
    assert.ok(s.runs.every((r) => !('lastProvisionedAt' in r)));
  });

  it('migrates a version-3 file: the GPU samples leave the state; the last one at the minimum becomes a minute bound', async () => {
    const store = new Store(tempDir());
    const policy = { utilizationPolicy: { min_gpu_utilization: 10, time_window: 300 } };
    const v3Runs = [
      { id: 'r1', name: 'busy', status: 'running', spec: policy, utilization: [{ at: 60_000, percent: 50 }, { at: 70_000, percent: 12 }, { at: 80_000, percent: 3 }] },
      { id: 'r2', name: 'idle', status: 'running', spec: policy, utilization: [{ at: 60_000, percent: 5 }] },
      { id: 'r3', name: 'no-policy', status: 'running', spec: { utilizationPolicy: null }, utilization: [{ at: 60_000, percent: 50 }] },
    ];
    fs.writeFileSync(store.stateFile, JSON.stringify({ version: 3, revision: 7, installation: 'vsc-old', runs: v3Runs, instances: [] }));
    const s = await store.read();
    assert.equal(s.version, STATE_VERSION);
    assert.deepEqual(s.runs.map((r) => r.gpuBusyUntil), [[120_000], [], []]);
    assert.ok(s.runs.every((r) => !('utilization' in r)));
  });

  it('leader lease: one holder; a dead holder or an expired lease is taken over', async () => {
    const store = new Store(tempDir());
    const now = Date.now();
    assert.equal(await store.acquireLease('a', now, 6000), true);
    assert.equal(await store.acquireLease('b', now + 1000, 6000), false);
    assert.equal(await store.acquireLease('a', now + 2000, 6000), true, 'renewal');
    assert.equal(await store.acquireLease('b', now + 8001, 6000), true, 'expired');
    fs.writeFileSync(store.leaseFile, JSON.stringify({ owner: 'ghost', pid: 2 ** 22 + 12345, expiresAt: now + 60_000 }));
    assert.equal(await store.acquireLease('c', now, 6000), true, 'dead pid');
    await store.releaseLease('c');
    assert.equal(store.readLease(), null);
  });

  it('a stale lock (dead owner) is taken over; a live one is waited for', async () => {
    const dir = tempDir();
    const lock = path.join(dir, 'x.lock');
    fs.writeFileSync(lock, `${2 ** 22 + 12345} ${Date.now()} zz`);
    assert.equal(await withFileLock(lock, () => 42), 42);
    assert.equal(fs.existsSync(lock), false);
    const order: string[] = [];
    await Promise.all([
      withFileLock(lock, async () => { order.push('a1'); await new Promise((r) => setTimeout(r, 30)); order.push('a2'); }),
      withFileLock(lock, () => { order.push('b'); }),
    ]);
    assert.ok(order.join() === 'a1,a2,b' || order.join() === 'b,a1,a2');
  });

  it('state dir: env override, then XDG_STATE_HOME, then ~/.local/state', () => {
    assert.equal(defaultStateDir({ DSTACK_VSC_STATE_DIR: '/x/y' }), '/x/y');
    assert.equal(defaultStateDir({ XDG_STATE_HOME: '/s' }), '/s/vscode-dstack');
    assert.match(defaultStateDir({}), /\.local\/state\/vscode-dstack$/);
  });
});
