import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FleetStore, FleetStoreError } from '../../../src/orchestrator/fleets/fleet-store';

describe('FleetStore (fleets.json beside the state)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-store-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const fleet = (name: string, hosts: string[]) => ({
    name, sshConfig: { user: 'ubuntu', hosts: hosts.map((hostname) => ({ hostname })) }, configDir: '/proj', source: '/proj/fleet.dstack.yml', pricePerHour: null,
  });

  it('has no fleets before the first apply, and writes none by reading', () => {
    const store = new FleetStore(dir);
    assert.deepEqual(store.list(), []);
    assert.throws(() => statSync(store.file), /ENOENT/);
  });

  it('adds a fleet, replaces it on re-apply keeping its creation time, and keeps the order of first apply', async () => {
    const store = new FleetStore(dir);
    await store.upsert(fleet('a', ['10.201.0.1']), 1000);
    await store.upsert(fleet('b', ['10.201.0.2']), 2000);
    const updated = await store.upsert(fleet('a', ['10.201.0.1', '10.201.0.3']), 3000);
    assert.deepEqual([updated.createdAt, updated.updatedAt], [1000, 3000]);
    assert.deepEqual(store.list().map((f) => [f.name, f.sshConfig.hosts.map((h) => h.hostname)]), [['a', ['10.201.0.1', '10.201.0.3']], ['b', ['10.201.0.2']]]);
    assert.equal(statSync(store.file).mode & 0o777, 0o600);
    assert.deepEqual(new FleetStore(dir).get('b')?.sshConfig.hosts, [{ hostname: '10.201.0.2' }], 'another process reads the same file');
  });

  it('removes a fleet by name and says whether there was one', async () => {
    const store = new FleetStore(dir);
    await store.upsert(fleet('a', ['h']), 1);
    assert.equal(await store.remove('a'), true);
    assert.equal(await store.remove('a'), false);
    assert.deepEqual(JSON.parse(readFileSync(store.file, 'utf8')), { version: 1, fleets: [] });
  });

  it('concurrent applies of different fleets both land (the lock serializes read-modify-write)', async () => {
    const store = new FleetStore(dir);
    await Promise.all(['a', 'b', 'c', 'd'].map((n, i) => new FleetStore(dir).upsert(fleet(n, [`10.0.0.${i}`]), i)));
    assert.deepEqual(store.list().map((f) => f.name).sort(), ['a', 'b', 'c', 'd']);
  });

  it('a file that is not ours is reported with its path and the fix, not overwritten', async () => {
    const store = new FleetStore(dir);
    writeFileSync(store.file, '{"fleets": [{"name": 3}]}');
    assert.throws(() => store.list(), (e: unknown) => e instanceof FleetStoreError && e.message.includes(store.file) && /re-apply/.test(e.message));
    await assert.rejects(store.upsert(fleet('a', ['h']), 1), FleetStoreError);
    assert.equal(readFileSync(store.file, 'utf8'), '{"fleets": [{"name": 3}]}');
    writeFileSync(store.file, '{"fleets": [');
    assert.throws(() => store.list(), /not valid JSON/);
  });
});
