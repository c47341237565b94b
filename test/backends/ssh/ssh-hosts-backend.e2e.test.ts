// The SSH hosts backend through the Backend interface, on real sshd test hosts: offers, create, ready,
// the OpenSSH client into the environment, refresh renewing the lease, terminate, and a busy host.

import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BackendError, type InstanceJob, type ProviderInstance } from '../../../src/backends/backend';
import { SshAccess } from '../../../src/backends/ssh/access';
import { sshPaths, type SshPaths } from '../../../src/backends/ssh/config/paths';
import { fleetHosts } from '../../../src/backends/ssh/fleet-hosts';
import { ensureClientKey } from '../../../src/backends/ssh/keys';
import { KnownHosts } from '../../../src/backends/ssh/known-hosts';
import { SshHostsBackend } from '../../../src/backends/ssh/ssh-hosts-backend';
import { hostsUnavailable, skipUnless, sshClientUnavailable, TestHosts } from '../../harness/hosts';
import { codeArchiveOf, tempDir, writeTree } from './upload/helpers';
import { ssh } from '../../harness/openssh';

describe('SSH hosts backend (Backend interface) on real sshd test hosts', function () {
  this.timeout(90_000);
  let hosts: TestHosts;
  let paths: SshPaths;
  let backend: SshHostsBackend;
  let publicKey: string;
  let ip1: string;
  let ip2: string;
  let codeArchive: string;

  before(function () {
    skipUnless(this, hostsUnavailable() ?? sshClientUnavailable());
  });

  before(async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'dvs-sshb-'));
    paths = sshPaths(state);
    const pair = await ensureClientKey(paths.identity);
    publicKey = pair.publicKey;
    hosts = new TestHosts(pair.publicKey);
    ip1 = hosts.up('h1', 1);
    ip2 = hosts.up('h2', 2, 'NVIDIA L40S\t46068\t0\t0\tGPU-1\t550.90.07\t00000000:19:00.0\nNVIDIA L40S\t46068\t0\t0\tGPU-2\t550.90.07\t00000000:1a:00.0\n');
    const configDir = path.join(state, 'project');
    mkdirSync(configDir);
    writeFileSync(path.join(configDir, 'key'), pair.privateKey, { mode: 0o600 });
    const code = tempDir();
    writeTree(code, { 'app.py': 'print(42)\n' });
    codeArchive = await codeArchiveOf(code);
    backend = new SshHostsBackend({
      hosts: await fleetHosts({ user: 'root', identity_file: 'key', hosts: [{ hostname: ip1 }, { hostname: ip2 }] }, { configDir }),
      knownHosts: new KnownHosts(paths.knownHosts, paths.lock), stateDir: state,
    });
  });

  after(async () => {
    await backend?.close();
    hosts?.down();
  });

  const tags = (n: string) => ({ installation: 'inst-e2e', runName: `remote-run-${n}`, instanceId: `a1b2c3d4-000${n}` });
  const job = (n: string): InstanceJob => ({
    runId: `run-${n}`, runName: `remote-run-${n}`, init: ['echo ready to go'], env: { DSTACK_RUN_NAME: `remote-run-${n}`, MSG: `it's $(not run)` },
    workingDir: null, inactivityDuration: null, maxDuration: null, leaseFile: '/unused', codeArchive,
  });

  async function untilReady(id: string): Promise<ProviderInstance> {
    for (let i = 0; i < 100; i++) {
      const [v] = await backend.refresh([id]);
      if (v?.report?.ready) return v;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.fail(`${id} never became ready`);
  }

  it('offers every host at price 0 with its probed GPUs', async () => {
    const offers = await backend.listOffers();
    assert.deepEqual(offers.map((o) => [o.backend, o.region, o.pricePerHour, o.availability, o.resources.gpus.map((g) => `${g.name}:${g.memoryGB}`)]),
      [['remote', ip1, 0, 'available', []], ['remote', ip2, 0, 'available', ['L40S:48', 'L40S:48']]]);
  });

  it('creates an environment, gets ready, lets `ssh <run>` in, marks the host busy, and terminates cleanly', async () => {
    const offer = (await backend.listOffers()).find((o) => o.region === ip2)!;
    const t = tags('1');
    await backend.create(offer, t, publicKey, job('1'));
    await backend.create(offer, t, publicKey, job('1')); // idempotent on instanceId
    const ready = await untilReady(t.instanceId);
    assert.equal(ready.state, 'running');
    const endpoint = (await backend.endpoint(t.instanceId))!;
    assert.deepEqual(ready.ssh, { host: '127.0.0.1', port: endpoint.port, user: 'root', hostPublicKey: endpoint.hostPublicKey, via: endpoint.via }, 'refresh reports the environment endpoint, reached through the host');
    assert.equal(ready.ssh?.via?.hostName, ip2);
    assert.equal((await backend.listOffers()).find((o) => o.region === ip2)?.availability, 'busy');
    await assert.rejects(backend.create(offer, tags('2'), publicKey, job('2')), (e: unknown) => e instanceof BackendError && e.code === 'no_capacity');
    assert.deepEqual((await backend.listTagged('inst-e2e')).map((v) => v.instanceId), [t.instanceId]);

    const ep = (await backend.endpoint(t.instanceId))!;
    const userConfig = path.join(paths.dir, 'user_config');
    const access = new SshAccess(paths, userConfig);
    assert.equal(ready.providerId, `${ip2}:${ep.port}`);
    await access.publish(ep);
    const r = await ssh(userConfig, t.runName, 'cat app.py; echo "$DSTACK_RUN_NAME $MSG"');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `print(42)\n${t.runName} it's $(not run)\n`);

    await backend.terminate(t.instanceId);
    await backend.terminate(t.instanceId);
    const [gone] = await backend.refresh([t.instanceId]);
    assert.equal(gone?.state, 'gone');
    assert.equal((await backend.listOffers()).find((o) => o.region === ip2)?.availability, 'available');
    await access.retract(t.runName);
  });

  it('keeps a running environment through a blackholed link, answers refresh within seconds, and recovers after the heal', async () => {
    const offer = (await backend.listOffers()).find((o) => o.region === ip1)!;
    const t = tags('3');
    await backend.create(offer, t, publicKey, job('3'));
    await untilReady(t.instanceId);
    hosts.run(['fault', 'h1', 'drop']);
    try {
      const [during] = await backend.refresh([t.instanceId]);
      assert.equal(during?.state, 'running', 'an unreachable host is not a gone environment');
      assert.equal(during?.report, undefined, 'no report while unreachable');
    } finally {
      hosts.run(['fault', 'h1', 'heal']);
    }
    const after = await untilReady(t.instanceId);
    assert.equal(after.report?.ready, true, 'the environment survived the outage');
    await backend.terminate(t.instanceId);
  });
});
