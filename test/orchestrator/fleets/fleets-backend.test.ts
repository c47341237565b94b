import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { FleetConfigError } from '../../../src/backends/ssh/fleet-hosts';
import { closeBackends, createBackends } from '../../../src/orchestrator/backends-registry';
import { FleetStore } from '../../../src/orchestrator/fleets/fleet-store';
import { FleetsBackend } from '../../../src/orchestrator/fleets/fleets-backend';

/** A port on 127.0.0.1 that refuses connections (listened on, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('backend remote over the SSH fleets (registry)', () => {
  let state: string;
  beforeEach(() => { state = mkdtempSync(path.join(os.tmpdir(), 'fleets-backend-')); });
  afterEach(() => rmSync(state, { recursive: true, force: true }));

  it('is absent without fleets, and present for applied fleets and for DSTACK_VSC_SSH_HOSTS', async () => {
    assert.equal(createBackends(state, {}).has('remote'), false);
    const fromEnv = createBackends(state, { DSTACK_VSC_SSH_HOSTS: JSON.stringify({ user: 'root', hosts: ['10.201.250.9'], price: 0.5 }) });
    const remote = fromEnv.get('remote');
    assert.ok(remote instanceof FleetsBackend);
    assert.deepEqual((await remote.hosts()).map((e) => [e.fleet, e.host.hostname, e.host.pricePerHour, e.host.target.user]), [['settings-fleet', '10.201.250.9', 0.5, 'root']]);
    await new FleetStore(state).upsert({ name: 'lab', sshConfig: { user: 'u', hosts: [{ hostname: 'a' }] }, configDir: state, source: 'f', pricePerHour: null }, 1);
    const applied = createBackends(state, {}).get('remote');
    assert.ok(applied instanceof FleetsBackend);
    assert.deepEqual((await applied.hosts()).map((e) => [e.fleet, e.host.hostname]), [['lab', 'a']]);
    assert.equal(createBackends(state, {}, undefined, { sshFleetsSetting: { hosts: ['x'], user: 'v' } }).has('remote'), true);
  });

  it('sees a fleet applied by another process without being rebuilt by its caller', async () => {
    const remote = createBackends(state, { DSTACK_VSC_SSH_HOSTS: JSON.stringify({ user: 'root', hosts: ['one'] }) }).get('remote') as FleetsBackend;
    assert.deepEqual((await remote.hosts()).map((e) => e.host.hostname), ['one']);
    await new FleetStore(state).upsert({ name: 'lab', sshConfig: { user: 'u', hosts: [{ hostname: 'two' }, { hostname: 'one' }] }, configDir: state, source: 'f', pricePerHour: null }, 1);
    assert.deepEqual((await remote.hosts()).map((e) => [e.fleet, e.host.hostname]), [['lab', 'two'], ['lab', 'one']], 'applied fleets come first; a host named twice is kept once');
  });

  it('an identity file that cannot be read is a FleetConfigError naming the field', async () => {
    const remote = createBackends(state, { DSTACK_VSC_SSH_HOSTS: JSON.stringify({ user: 'root', identity_file: '/nonexistent/key', hosts: ['h'] }) }).get('remote') as FleetsBackend;
    await assert.rejects(remote.hosts(), (e: unknown) => e instanceof FleetConfigError && e.field === 'ssh_config.hosts[0].identity_file' && /\/nonexistent\/key/.test(e.message));
  });

  it('a host that refuses connections offers nothing, and probing it says which host could not be reached', async () => {
    const port = await closedPort();
    const backends = createBackends(state, { DSTACK_VSC_SSH_HOSTS: JSON.stringify({ user: 'root', port, hosts: ['127.0.0.1'] }) });
    try {
      assert.deepEqual(await backends.get('remote')?.listOffers(), []);
      await assert.rejects((backends.get('remote') as FleetsBackend).probe('127.0.0.1'), /Cannot reach root@127\.0\.0\.1/);
    } finally {
      await closeBackends(backends);
    }
  });
});
