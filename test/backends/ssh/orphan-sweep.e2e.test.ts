// The orphan sweep of SSH fleets on real sshd test hosts (bare mode): an environment applied through the CLI
// carries a manifest in its directory on the host; the local state is then wiped (only the installation id is
// kept: it is what ties environments to this installation, as the tags do on AWS), and a new orchestrator finds
// the environment through that manifest, records it as an orphan and stops it on its host. Another
// installation's environment is left alone, and a blackholed host only costs the sweep its bounded wait.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/run-cli';
import { waitForRun } from '../../cli/wait-run';
import { fleetHosts } from '../../../src/backends/ssh/fleet-hosts';
import { KnownHosts } from '../../../src/backends/ssh/known-hosts';
import { SshHostsBackend } from '../../../src/backends/ssh/ssh-hosts-backend';
import { generateKeyPair } from '../../../src/backends/ssh/keys';
import { sshPaths } from '../../../src/backends/ssh/config/paths';
import type { Offer } from '../../../src/backends/offer';
import { closeBackends } from '../../../src/orchestrator/backends-registry';
import { openRuntime } from '../../../src/orchestrator/runtime';
import { emptyState } from '../../../src/orchestrator/store/state';
import { Store } from '../../../src/orchestrator/store/store';
import { hostsUnavailable, skipUnless, sshClientUnavailable, TestHosts } from '../../harness/hosts';
import { untilView } from '../../harness/until-view';
import { writeTree } from './upload/helpers';

describe('SSH fleets: the orphan sweep finds environments by their manifests on the hosts once the local state is lost', function () {
  this.timeout(240_000);
  let hosts: TestHosts;
  let state: string;
  let project: string;
  let env: NodeJS.ProcessEnv;
  let ip1: string;
  let ip2: string;
  let ip3: string;
  let others: SshHostsBackend | undefined;

  before(function () {
    skipUnless(this, hostsUnavailable() ?? sshClientUnavailable());
  });

  before(() => {
    state = mkdtempSync(path.join(os.tmpdir(), 'dvs-orphan-'));
    project = mkdtempSync(path.join(os.tmpdir(), 'dvs-orphan-project-'));
    const userKey = generateKeyPair('user key');
    writeFileSync(path.join(project, 'id_user'), userKey.privateKey, { mode: 0o600 });
    hosts = new TestHosts(userKey.publicKey);
    ip1 = hosts.up('o1', 1);
    ip2 = hosts.up('o2', 2);
    ip3 = hosts.up('o3', 3);
    // The fleet lives in the settings (DSTACK_VSC_SSH_HOSTS), outside the state dir that gets lost.
    env = {
      DSTACK_VSC_STATE_DIR: state, HOME: state, PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      DSTACK_VSC_SSH_HOSTS: JSON.stringify({ user: 'root', identity_file: path.join(project, 'id_user'), hosts: [ip1, ip2, ip3] }),
    };
    writeTree(project, {
      'dev.dstack.yml': ['type: dev-environment', 'name: lost-run', 'backends: [remote]', `regions: ["${ip1}"]`, 'resources:', '  disk: 1GB..', 'init:', '  - echo up', ''].join('\n'),
    });
  });

  after(async () => {
    await others?.close();
    hosts?.run(['fault', 'o3', 'heal']);
    hosts?.down();
  });

  it('a new orchestrator with the same installation finds the environment on its host and stops it; nothing else is touched', async () => {
    const applied = { out: '', err: '' };
    const code = await runCli(['apply', '-f', path.join(project, 'dev.dstack.yml'), '-y', '-d'], {
      stdout: (t) => { applied.out += t; }, stderr: (t) => { applied.err += t; }, env, cwd: project, confirm: () => Promise.resolve(false),
    });
    assert.equal(code, 0, applied.out + applied.err);
    assert.match(applied.out, /Run lost-run submitted, detaching/);
    // apply -d returned at the submit; its detached driver takes the run to running, then exits (before the state
    // is wiped below, so that no process of the old state leads or writes).
    const run = await waitForRun(state, 'lost-run', 120_000);
    assert.equal(run.status, 'running', `${run.status}: ${JSON.stringify(run.attempts)}`);
    const before = await new Store(state).read();
    const instanceId = run.instanceId ?? assert.fail('no instance');
    const agentDir = path.join(hosts.hostDir('o1'), 'root', '.dstack-vsc', instanceId);
    const manifest = JSON.parse(readFileSync(path.join(agentDir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([manifest['installation'], manifest['runName'], manifest['instanceId']], [before.installation, 'lost-run', instanceId]);

    // Another installation's environment on the second host.
    const otherState = mkdtempSync(path.join(os.tmpdir(), 'dvs-orphan-other-'));
    const paths = sshPaths(otherState);
    others = new SshHostsBackend({
      hosts: await fleetHosts({ user: 'root', identity_file: 'id_user', hosts: [{ hostname: ip2 }] }, { configDir: project }),
      knownHosts: new KnownHosts(paths.knownHosts, paths.lock), stateDir: otherState,
    });
    const offer = (await others.listOffers())[0] as Offer;
    const theirs = { installation: 'vsc-someone-else', runName: 'their-run', instanceId: 'their-0001' };
    await others.create(offer, theirs, generateKeyPair().publicKey, { runId: 'r', runName: 'their-run', init: [], env: {}, workingDir: null, inactivityDuration: null, maxDuration: null, leaseFile: '/unused' });
    await untilView(others, theirs.instanceId, (v) => v.report?.ready === true, 'their environment ready');

    // The local state is lost: only the installation id survives.
    rmSync(state, { recursive: true, force: true });
    mkdirSync(state);
    writeFileSync(path.join(state, 'state.json'), JSON.stringify({ ...emptyState(), installation: before.installation }));
    hosts.run(['fault', 'o3', 'drop']);

    const rt = openRuntime(env);
    try {
      const sweepStarted = Date.now();
      await rt.leader.step(true);
      console.log(`    (first step with the sweep, one host blackholed: ${((Date.now() - sweepStarted) / 1000).toFixed(1)} s)`);
      let s = await rt.store.read();
      for (let i = 0; i < 20 && !s.instances.some((x) => x.id === instanceId && x.status === 'terminated'); i++) {
        await new Promise((r) => setTimeout(r, 500));
        await rt.leader.step(true);
        s = await rt.store.read();
      }
      const found = s.instances.find((x) => x.id === instanceId);
      assert.equal(found?.backend, 'remote');
      assert.equal(found?.terminationReason, 'orphan');
      assert.equal(found?.status, 'terminated', JSON.stringify(found));
      assert.equal(found?.createdForRun, 'lost-run');
      assert.equal(s.instances.some((x) => x.id === theirs.instanceId), false, 'another installation\'s environment is not ours');
    } finally {
      await rt.leader.stop();
      await closeBackends(rt.backends);
    }
    assert.ok(!existsSync(agentDir), 'the environment\'s directory is gone from the host');
    assert.equal(spawnSync('pgrep', ['-af', instanceId], { encoding: 'utf8' }).stdout, '', 'no process of the environment is left on the host');
    assert.equal((await untilView(others, theirs.instanceId, (v) => v.report?.ready === true, 'theirs still running')).state, 'running');
    await others.terminate(theirs.instanceId);
  });
});
