// The host agent end to end on a real sshd test host (bare mode): upload, init, ready, the OpenSSH
// client into the environment's own sshd through the host, activity (connections open > 10 s only), the
// dead-man's switch, stop.

import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HostAgent, type HostJob, type HostAgentStatus } from '../../../src/backends/ssh/agent/host-agent';
import { SshAccess } from '../../../src/backends/ssh/access';
import { connectSsh, type SshConnection, type SshTarget } from '../../../src/backends/ssh/connect';
import { sshPaths, type SshPaths } from '../../../src/backends/ssh/config/paths';
import { ensureClientKey, generateKeyPair } from '../../../src/backends/ssh/keys';
import { KnownHosts } from '../../../src/backends/ssh/known-hosts';
import { hostsUnavailable, skipUnless, sshClientUnavailable, TestHosts } from '../../harness/hosts';
import { codeArchiveOf, git, tempDir, writeTree } from './upload/helpers';
import { ssh } from '../../harness/openssh';

const HOSTILE = `it's "q" $(touch /tmp/dvs-agent-pwned) \`touch /tmp/dvs-agent-pwned2\`\nsecond line`;

async function until(what: string, agent: HostAgent, ok: (s: HostAgentStatus) => boolean, tries = 150): Promise<HostAgentStatus> {
  let s = await agent.status();
  for (let i = 0; i < tries && !ok(s); i++) {
    await new Promise((r) => setTimeout(r, 200));
    s = await agent.status();
  }
  assert.ok(ok(s), `${what}: last status ${JSON.stringify(s)}`);
  return s;
}

describe('host agent on a real sshd test host (bare mode)', function () {
  this.timeout(90_000);
  let hosts: TestHosts;
  let paths: SshPaths;
  let userConfig: string;
  let h1: SshTarget;
  let conn: SshConnection;
  let clientPublic: string;

  before(function () {
    skipUnless(this, hostsUnavailable() ?? sshClientUnavailable());
  });

  before(async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'dvs-agent-state-'));
    paths = sshPaths(state);
    userConfig = path.join(state, 'home', '.ssh', 'config');
    mkdirSync(path.dirname(userConfig), { recursive: true });
    const pair = await ensureClientKey(paths.identity);
    clientPublic = pair.publicKey;
    hosts = new TestHosts(pair.publicKey);
    h1 = { host: hosts.up('h1', 1), port: 22, user: 'root', privateKeys: [pair.privateKey], hostKeyAlias: 'agent-h1' };
    conn = await connectSsh(h1, { knownHosts: new KnownHosts(paths.knownHosts, paths.lock) });
  });

  after(() => {
    conn?.close();
    hosts?.down();
  });

  function job(instanceId: string, extra: Partial<HostJob> = {}): HostJob & { hostPublicKey: string } {
    const hostKey = generateKeyPair();
    return {
      instanceId, sshPort: 10022, authorizedKey: clientPublic, hostPrivateKey: hostKey.privateKey, hostPublicKey: hostKey.publicKey,
      env: { DSTACK_RUN_NAME: 'agent-run', HOSTILE }, init: ['echo "init of $DSTACK_RUN_NAME"', 'printf %s "$HOSTILE" > init-saw.txt'],
      workingDir: 'src', inactivitySecs: 0, maxDurationSecs: 0, leaseSecs: 60, ...extra,
    };
  }

  it('uploads the code, runs init in the working dir, gets ready, and `ssh <run>` lands in the environment', async () => {
    const repo = tempDir();
    git(repo, 'init', '-q');
    writeTree(repo, { 'src/train.py': 'print("hi")\n', 'README.md': 'r\n' });
    const agent = new HostAgent(conn, 'inst-1');
    const j = job('inst-1', { codeArchive: await codeArchiveOf(repo) });
    await agent.start(j);
    await agent.start(j); // a repeat while running is a no-op
    const s = await until('ready', agent, (st) => st.state === 'ready');
    assert.equal(s.ready, true);
    assert.equal(await agent.initLog(), 'init of agent-run\n');
    const dir = await agent.dir();
    const hostRoot = path.join(hosts.hostDir('h1'), 'root'); // the host's /root on this machine
    const onHost = (p: string) => path.join(hostRoot, path.posix.relative('/root', p));
    assert.equal(readFileSync(onHost(`${dir}/repo/src/init-saw.txt`), 'utf8'), HOSTILE);
    assert.equal(readFileSync(onHost(`${dir}/repo/src/train.py`), 'utf8'), 'print("hi")\n');

    const access = new SshAccess(paths, userConfig);
    await access.publish({ runName: 'agent-run', hostName: '127.0.0.1', port: 10022, user: 'root', hostPublicKey: j.hostPublicKey,
      via: { hostName: h1.host, port: 22, user: 'root', hostPublicKey: readFileSync(path.join(hosts.hostDir('h1'), 'ssh_host_ed25519_key.pub'), 'utf8') } });
    const r = await ssh(userConfig, 'agent-run', 'pwd; echo "$DSTACK_RUN_NAME"; printf %s "$HOSTILE"');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${dir}/repo/src\nagent-run\n${HOSTILE}`);
    assert.equal(s.workingDir, `${dir}/repo/src`, 'the agent reports the working dir `ssh <run>` lands in (what Open in VS Code opens)');
    assert.ok(!existsSync('/tmp/dvs-agent-pwned') && !existsSync('/tmp/dvs-agent-pwned2'));

    await agent.stop();
    assert.equal((await agent.status()).state, 'absent');
    const again = await ssh(userConfig, '-o', 'ConnectTimeout=5', 'agent-run', 'true');
    assert.notEqual(again.status, 0, 'the environment sshd is gone');
    await access.retract('agent-run');
  });

  it('reports init failure with its exit code', async () => {
    const agent = new HostAgent(conn, 'inst-fail');
    await agent.start(job('inst-fail', { init: ['echo before', 'exit 3', 'echo never'], sshPort: 10023 }));
    const s = await until('failed', agent, (st) => st.state === 'failed');
    assert.equal(s.initExitCode, 3);
    assert.equal(await agent.initLog(), 'before\n');
    await agent.stop();
  });

  it('counts only SSH connections open more than 10 s as activity (a short one is a probe), and stops itself once the lease expired and it was idle', async () => {
    const agent = new HostAgent(conn, 'inst-dms');
    const j = job('inst-dms', { sshPort: 10024, inactivitySecs: 2, leaseSecs: 14 });
    await agent.start(j);
    await until('ready', agent, (st) => st.state === 'ready');
    const readyAt = Date.now();
    await agent.status(true); // renews the lease
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await sleep(4000); // idle long enough before the probe that a reset by it would show (the agent counts in 1 s ticks)
    // Connections to the environment's sshd, through the host (as `ssh <run>` and VS Code reach it).
    const envConnect = () => connectSsh({ host: '127.0.0.1', port: 10024, user: 'root', privateKeys: h1.privateKeys, hostKeyAlias: 'agent-dms', jump: h1 },
      { knownHosts: new KnownHosts(paths.knownHosts, paths.lock) });
    const probe = await envConnect();
    assert.equal((await probe.exec('true')).code, 0);
    probe.close();
    await sleep(3000);
    // Idle since the environment was ready (less two 1 s ticks of slack), not only the 3 s since the probe ended.
    const afterProbe = (await agent.status()).noConnectionsSecs ?? -1;
    const sinceReady = Math.floor((Date.now() - readyAt) / 1000);
    assert.ok(afterProbe >= sinceReady - 2 && afterProbe > 4, `the short connection reset the inactivity clock: idle ${afterProbe} s, ${sinceReady} s since ready`);

    const session = await envConnect();
    const opened = Date.now();
    await agent.status(true); // renews the lease
    await sleep(5000);
    assert.ok(((await agent.status()).noConnectionsSecs ?? 0) >= 5, 'a connection open 5 s is not activity yet');
    await until('active once the connection has been open 10 s', agent, (st) => st.noConnectionsSecs === 0, 75);
    assert.ok(Date.now() - opened > 10_000, 'the connection counted only after 10 s');
    await sleep(Math.max(0, opened + 18_000 - Date.now())); // the lease (14 s) expires and more than the inactivity (2 s) passes
    assert.equal((await agent.status()).state, 'ready', 'an open connection keeps the environment up after the lease expired');
    session.close();
    const s = await until('self-stopped', agent, (st) => st.state === 'stopped');
    assert.equal(s.stopReason, 'inactivity');
    const listening = await conn.exec('cat /proc/net/tcp | awk \'$4 == "0A" && substr($2, length($2) - 4) == ":2730"\' | wc -l');
    assert.equal(listening.stdout.trim(), '0', 'its sshd no longer listens');
    await agent.stop();
  });

  it('stops itself after max_duration even while renewed', async () => {
    const agent = new HostAgent(conn, 'inst-max');
    await agent.start(job('inst-max', { sshPort: 10025, maxDurationSecs: 2 }));
    await agent.status(true); // renews the lease
    const s = await until('max_duration', agent, (st) => st.state === 'stopped');
    assert.equal(s.stopReason, 'max_duration');
    await agent.stop();
  });
});
