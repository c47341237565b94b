// The agent inside a pod, end to end through the fake API server's port-forward: the orchestrator logs in to
// the pod's sshd (here the project's LocalSshServer, configured from exactly what the pod received), starts
// the host agent (job env, init, the environment's OpenSSH sshd), reads readiness, and publishes a listener
// through which a client reaches the environment with the pinned host key and the run's env.

import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'ssh2';
import type { InstanceJob, ProviderInstance } from '../../../src/backends/backend';
import { ENV_AUTHORIZED_KEY, ENV_HOST_KEY } from '../../../src/backends/kubernetes/bootstrap';
import { KubernetesBackend } from '../../../src/backends/kubernetes/kubernetes-backend';
import { PodAgents } from '../../../src/backends/kubernetes/pod-agents';
import { LocalSshServer } from '../../../src/backends/local/ssh-server';
import { HostAgent } from '../../../src/backends/ssh/agent/host-agent';
import { sshPaths } from '../../../src/backends/ssh/config/paths';
import { connectSsh } from '../../../src/backends/ssh/connect';
import { ensureClientKey, generateKeyPair, publicKeyBlob } from '../../../src/backends/ssh/keys';
import { KnownHosts } from '../../../src/backends/ssh/known-hosts';
import { addStandardNodes, openCluster, testTags, type Cluster } from './harness';
import type { Obj } from './fake-kube/server';
import { codeArchiveOf, writeTree } from '../ssh/upload/helpers';

const SSHD = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => existsSync(p));

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function sshExec(port: number, privateKey: string, hostPublicKey: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('ready', () => c.exec(command, (err, ch) => {
      if (err) return reject(err);
      let text = '';
      ch.on('data', (d: Buffer) => { text += d.toString(); }).on('close', () => { c.end(); resolve(text); });
    })).on('error', reject).connect({ host: '127.0.0.1', port, username: 'root', privateKey, hostVerifier: (key: Buffer) => key.equals(publicKeyBlob(hostPublicKey)) });
  });
}

describe('Kubernetes pods run the host agent over the port-forward', function () {
  this.timeout(60_000);
  let cluster: Cluster;
  let state: string;
  let home: string;
  let sshd: LocalSshServer | undefined;

  before(function () {
    if (!SSHD) { console.log('    (skipped: no OpenSSH sshd on this machine for the environment)'); this.skip(); }
  });
  beforeEach(async function () {
    cluster = await openCluster();
    if (!cluster.fake) { console.log('    (skipped against a real cluster: the pod\'s sshd is simulated here)'); this.skip(); }
    addStandardNodes(cluster.fake);
    // OpenSSH's StrictModes refuses an authorized_keys file below a world-writable directory (/tmp): the pod's
    // "home" goes under /run (root's, 0755) where there is one, as /root is in a real pod.
    state = mkdtempSync(path.join(existsSync('/run') && process.getuid?.() === 0 ? '/run' : tmpdir(), 'dvs-kube-agents-'));
    home = path.join(state, 'pod-home');
    mkdirSync(home);
  });
  afterEach(async () => {
    await sshd?.stop();
    sshd = undefined;
    await cluster.close();
    rmSync(state, { recursive: true, force: true });
  });

  it('a retried create (new host key, pod never came) gives the environment\'s sshd the key pinned now', async () => {
    const agents = new PodAgents({ stateDir: state });
    const tags = testTags();
    const first = generateKeyPair('first');
    const second = generateKeyPair('second');
    await agents.prepare(tags, 0, first);
    await agents.prepare(tags, 0, second);
    const rec = JSON.parse(readFileSync(path.join(state, 'kubernetes', 'jobs', `${tags.instanceId}.json`), 'utf8')) as Record<string, unknown>;
    assert.equal(rec['hostPrivateKey'], second.privateKey);
    await agents.forget(tags.instanceId);
  });

  it('uploads the job, runs init, reports ready, and publishes the environment with the run env', async () => {
    const envPort = await freePort();
    const agents = new PodAgents({ stateDir: state, environmentSshPort: envPort, leaseSecs: 60 });
    const backend = new KubernetesBackend({ kubeconfig: cluster.kubeconfig, namespace: cluster.namespace }, { agents, scheduleWaitMs: 1_000, pollMs: 50 });
    const clientKey = await ensureClientKey(sshPaths(state).identity);
    const tags = testTags();
    const offer = (await backend.listOffers()).find((o) => o.instanceType === 'cpu-node');
    assert.ok(offer);
    // The run's code archive, as apply wrote it: the agent extracts exactly it (the source may be gone by then).
    const code = path.join(state, 'code');
    writeTree(code, { 'app.py': 'print(42)\n' });
    const codeArchive = await codeArchiveOf(code, path.join(state, 'run-code.tar'));
    rmSync(code, { recursive: true });
    const job = {
      runId: 'run-1', runName: tags.runName, init: ['echo init-ran > marker.txt'], env: { FOO: 'bar baz' }, workingDir: null, inactivityDuration: null, maxDuration: null, leaseFile: '/nonexistent',
      codeArchive, repoId: 'code-abcd1234',
    } as InstanceJob;
    const created = await backend.create(offer, tags, clientKey.publicKey, job);
    const prepared = JSON.parse(readFileSync(path.join(state, 'kubernetes', 'jobs', `${tags.instanceId}.json`), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([prepared['codeArchive'], prepared['repoId']], [codeArchive, 'code-abcd1234'], 'a restart finds the run\'s code in the job record');
    assert.equal(created.state, 'running');
    assert.equal(created.report, undefined, 'no report while the pod\'s sshd is not answering');
    const pod = cluster.fake?.createdPods()[0] as Obj;
    assert.ok(!JSON.stringify(pod).includes('bar baz'), 'the run\'s env is not in the pod spec: the agent delivers it');
    assert.ok(!JSON.stringify(pod).includes('PRIVATE KEY'), 'the host key is in the Secret only');
    const env = cluster.fake?.containerEnv(pod) ?? {};
    assert.equal(env[ENV_AUTHORIZED_KEY], clientKey.publicKey, 'the run key is the orchestrator\'s client key: authorized once');
    // The pod's sshd, and its loopback where the agent's environment sshd listens.
    sshd = new LocalSshServer({ hostKey: env[ENV_HOST_KEY] ?? '', authorizedKey: env[ENV_AUTHORIZED_KEY] ?? '', user: 'root', workingDir: home, env: { HOME: home } });
    cluster.fake?.portTargets.set(10022, await sshd.start());
    cluster.fake?.portTargets.set(envPort, envPort);
    let view: ProviderInstance | undefined;
    try {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        [view] = await backend.refresh([tags.instanceId]);
        if (view?.report?.ready) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      assert.equal(view?.state, 'running');
      assert.equal(view?.report?.ready, true, `ready: ${JSON.stringify(view)}`);
      const ssh = view?.ssh;
      assert.ok(ssh && ssh.host === '127.0.0.1' && ssh.hostPublicKey);
      const out = await sshExec(ssh.port, clientKey.privateKey, ssh.hostPublicKey, 'cat marker.txt; printf "%s|%s|%s\\n" "$FOO" "$DSTACK_RUN_NAME" "$DSTACK_REPO_ID"; cat app.py');
      assert.equal(out, `init-ran\nbar baz|${tags.runName}|code-abcd1234\nprint(42)\n`);
      assert.ok(cluster.fake?.received.some((r) => r.method === 'UPGRADE' && r.query.get('ports') === String(envPort)), 'the environment is reached through the port-forward');
      // The job record dropped its secrets once the agent held them.
      const rec = JSON.parse(readFileSync(path.join(state, 'kubernetes', 'jobs', `${tags.instanceId}.json`), 'utf8')) as Record<string, unknown>;
      assert.equal(rec['env'], undefined);
      assert.equal(rec['hostPrivateKey'], undefined);
      assert.ok(typeof rec['startedAt'] === 'number');
      await backend.terminate(tags.instanceId);
      assert.equal(cluster.fake?.secrets.size, 0, 'the pod\'s Secret is deleted with it');
      assert.equal(existsSync(path.join(state, 'kubernetes', 'jobs', `${tags.instanceId}.json`)), false);
    } finally {
      // The "pod" is this machine: stop what the agent started here (a real pod's deletion does it).
      const port = sshd.port;
      const known = new KnownHosts(path.join(state, 'cleanup_known_hosts'), path.join(state, 'cleanup.lock'));
      const conn = await connectSsh({ host: '127.0.0.1', port, user: 'root', privateKeys: [clientKey.privateKey] }, { knownHosts: known });
      await new HostAgent(conn, tags.instanceId).stop();
      conn.close();
      await backend.close();
    }
  });
});
