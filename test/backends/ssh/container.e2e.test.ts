// Container mode end to end on a real sshd test host with rootful podman (own storage, the machine's cgroup
// layout, the tiny image built from this machine's binaries): the probe finds podman → create → the
// environment runs in a labelled container (its sshd is the image's own, on the host network) → the
// OpenSSH client lands in the container's rootfs in the working dir with the env → metrics from the
// container's cgroup → terminate removes the container.

import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { InstanceJob, ProviderInstance } from '../../../src/backends/backend';
import type { Offer } from '../../../src/backends/offer';
import { SshAccess } from '../../../src/backends/ssh/access';
import { sshPaths } from '../../../src/backends/ssh/config/paths';
import { connectSsh } from '../../../src/backends/ssh/connect';
import { fleetHosts } from '../../../src/backends/ssh/fleet-hosts';
import { HostAgent, type HostJob } from '../../../src/backends/ssh/agent/host-agent';
import { ensureClientKey, generateKeyPair } from '../../../src/backends/ssh/keys';
import { KnownHosts } from '../../../src/backends/ssh/known-hosts';
import { probeHost } from '../../../src/backends/ssh/probe';
import { SshHostsBackend } from '../../../src/backends/ssh/ssh-hosts-backend';
import { DSTACK_BASE_IMAGE } from '../../../src/orchestrator/job-spec/dev-environment-job';
import { containersUnavailable, skipUnless, sshClientUnavailable, TEST_IMAGE, TestHosts } from '../../harness/hosts';
import { codeArchiveOf, tempDir, writeTree } from './upload/helpers';
import { ssh } from '../../harness/openssh';
import { untilView } from '../../harness/until-view';

const REGISTRY_PASSWORD = 'reg-s3cret-pw';
const TRICKY = `it's "q" $(touch /tmp/dvs-ctr-pwned) \`touch /tmp/dvs-ctr-pwned2\` $HOME \\ end`;

describe('SSH host agent in container mode (rootful podman on a netns test host)', function () {
  this.timeout(240_000);
  let hosts: TestHosts;
  let state: string;
  let backend: SshHostsBackend;
  let ip: string;
  let ip2: string;
  let codeArchive: string;

  before(function () {
    this.timeout(300_000); // the first run builds the test image (cached afterwards)
    skipUnless(this, sshClientUnavailable() ?? containersUnavailable());
  });

  before(async () => {
    state = mkdtempSync(path.join(os.tmpdir(), 'dvs-ctr-'));
    const pair = await ensureClientKey(sshPaths(state).identity);
    hosts = new TestHosts(pair.publicKey);
    ip = hosts.up('c1', 1, undefined, { containers: true });
    ip2 = hosts.up('c2', 2, undefined, { containers: true, brokenCrun: true });
    const project = path.join(state, 'project');
    mkdirSync(project);
    writeFileSync(path.join(project, 'key'), pair.privateKey, { mode: 0o600 });
    writeTree(project, { 'conf/settings.toml': 'answer = 42\n' });
    const code = tempDir();
    writeTree(code, { 'app.py': 'print(42)\n' });
    codeArchive = await codeArchiveOf(code);
    backend = new SshHostsBackend({
      hosts: await fleetHosts({ user: 'root', identity_file: 'key', hosts: [{ hostname: ip }, { hostname: ip2 }] }, { configDir: project }),
      knownHosts: new KnownHosts(sshPaths(state).knownHosts, sshPaths(state).lock), stateDir: state,
      defaultPublicKey: () => Promise.resolve(pair.publicKey),
    });
  });

  after(async () => {
    await backend?.close();
    hosts?.down();
  });

  async function onHost(command: string, host = ip): Promise<string> {
    const paths = sshPaths(state);
    const key = readFileSync(path.join(state, 'project', 'key'), 'utf8');
    const conn = await connectSsh({ host, port: 22, user: 'root', privateKeys: [key], hostKeyAlias: `ctr-${host}` }, { knownHosts: new KnownHosts(paths.knownHosts, paths.lock) });
    try {
      const r = await conn.exec(command);
      assert.equal(r.code, 0, `${command}: ${r.stderr}`);
      return r.stdout;
    } finally {
      conn.close();
    }
  }

  const until = (id: string, ok: (v: ProviderInstance) => boolean, what: string, tries = 300): Promise<ProviderInstance> => untilView(backend, id, ok, what, tries);

  it('runs the environment in a labelled podman container, reachable with the OpenSSH client, and removes it on terminate', async () => {
    const paths = sshPaths(state);
    const key = readFileSync(path.join(state, 'project', 'key'), 'utf8');
    const probeConn = await connectSsh({ host: ip, port: 22, user: 'root', privateKeys: [key], hostKeyAlias: `ctr-${ip}` }, { knownHosts: new KnownHosts(paths.knownHosts, paths.lock) });
    const facts = await probeHost(probeConn);
    probeConn.close();
    assert.equal(facts.runtime, 'podman', `the probe finds a working podman: ${facts.runtimeNotes.join('; ')}`);

    const offer = (await backend.listOffers()).find((o) => o.region === ip) as Offer;
    const tags = { installation: 'inst-ctr', runName: 'ctr-run', instanceId: 'c0ffee00-0001' };
    const job: InstanceJob = {
      runId: 'run-ctr', runName: 'ctr-run', env: { TRICKY },
      init: ['echo "init in $(cat /etc/os-release | head -1)"', "printf '%s\\n' \"$TRICKY\"", 'test -f /run/.containerenv && echo in-container', 'cat settings.toml'],
      workingDir: 'work', inactivityDuration: null, maxDuration: null, leaseFile: '/unused', codeArchive,
      configurationPath: path.join(state, 'project', 'dev.dstack.yml'),
      configuration: { type: 'dev-environment', image: TEST_IMAGE, resources: { shm_size: 0.125 }, files: [{ local_path: 'conf/settings.toml', path: 'settings.toml' }, { local_path: 'conf', path: '/etc/feat-conf' }] },
    };
    const started = Date.now();
    await backend.create(offer, tags, '', job);
    const ready = await until(tags.instanceId, (v) => v.report?.ready === true || v.report?.initExitCode !== undefined, 'ready');
    const log = readFileSync(backend.logFile(tags.instanceId), 'utf8');
    assert.equal(ready.report?.ready, true, `init failed: ${log}`);
    console.log(`    (container e2e: create → ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    assert.equal(log, `init in PRETTY_NAME="dvs-mini"\n${TRICKY}\nin-container\nanswer = 42\n`);

    // The container, found by our labels; shm_size applied.
    const ps = await onHost(`podman ps --filter label=dev.dstack-vsc.instance=${tags.instanceId} --filter label=dev.dstack-vsc.installation=inst-ctr --format '{{.Names}} {{.Image}} {{.Labels}}'`);
    assert.match(ps, /^dstack-vsc-c0ffee00-0001 localhost\/dvs-mini:latest .*dev\.dstack-vsc\.run:ctr-run/);
    assert.equal((await onHost(`podman inspect -f '{{.HostConfig.ShmSize}}' dstack-vsc-${tags.instanceId}`)).trim(), String(128 * 2 ** 20));
    console.log(`    (OCI runtime the agent ended up with: ${(await onHost(`podman inspect -f '{{.OCIRuntime}}' dstack-vsc-${tags.instanceId}`)).trim()})`);

    // `ssh <run>`: the container's rootfs and hostname namespace, the working dir, the env verbatim.
    const userConfig = path.join(state, 'home', '.ssh', 'config');
    mkdirSync(path.dirname(userConfig), { recursive: true });
    const ep = await backend.endpoint(tags.instanceId);
    assert.ok(ep);
    const access = new SshAccess(paths, userConfig);
    await access.publish(ep);
    const r = await ssh(userConfig, 'ctr-run', 'head -1 /etc/os-release; test -f /run/.containerenv && echo in-container; pwd; echo "$DSTACK_RUN_NAME"; cat /etc/feat-conf/settings.toml; printf %s "$TRICKY"');
    assert.equal(r.status, 0, r.stderr);
    const dir = `/root/.dstack-vsc/${tags.instanceId}`;
    assert.equal(r.stdout, `PRETTY_NAME="dvs-mini"\nin-container\n${dir}/repo/work\nctr-run\nanswer = 42\n${TRICKY}`);
    assert.ok(!existsSync('/tmp/dvs-ctr-pwned') && !existsSync('/tmp/dvs-ctr-pwned2'));

    // Metrics come from the container's cgroup; the session above counted as activity.
    const v = await until(tags.instanceId, (x) => x.report?.metrics?.cpuPercent !== undefined, 'metrics');
    assert.ok((v.report?.metrics?.memoryUsedBytes ?? 0) > 0, JSON.stringify(v.report));
    assert.equal(v.report?.metrics?.gpus, undefined, 'no GPUs on this host');

    await backend.terminate(tags.instanceId);
    await access.retract('ctr-run');
    assert.equal((await onHost(`podman ps -a --filter label=dev.dstack-vsc.instance=${tags.instanceId} --format '{{.Names}}'`)).trim(), '', 'the container is removed');
    const [gone] = await backend.refresh([tags.instanceId]);
    assert.equal(gone?.state, 'gone');
    console.log(`    (container e2e: create → terminated in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  });

  it("runs dstack's default image with dstack's own commands: the venv of `python` at DSTACK_VENV_DIR, active in init and in `ssh <run>`", async () => {
    // The default image here is the harness's stand-in under dstack's name (testhosts.sh image): this machine's
    // python3, and stand-ins for uv (python3's venv module; it logs the -p it was given) and sudo.
    assert.equal((await onHost(`podman image exists ${DSTACK_BASE_IMAGE} && echo present || echo missing`)).trim(), 'present',
      'the stand-in for dstack\'s default image is missing: `test/harness/testhosts.sh image` builds it from /usr/bin/python3 (install python3)');
    const offer = (await backend.listOffers()).find((o) => o.region === ip) as Offer;
    const tags = { installation: 'inst-ctr', runName: 'ctr-venv', instanceId: 'c0ffee00-0003' };
    await backend.create(offer, tags, '', {
      runId: 'run-venv', runName: 'ctr-venv', env: {}, workingDir: null, inactivityDuration: null, maxDuration: null, leaseFile: '/unused',
      init: ['echo "venv=$DSTACK_VENV_DIR active=$VIRTUAL_ENV python=$(command -v python)"'],
      configuration: { type: 'dev-environment', python: '3.12' },
    });
    const ready = await until(tags.instanceId, (v) => v.report?.ready === true || v.report?.initExitCode !== undefined, 'ready');
    const log = readFileSync(backend.logFile(tags.instanceId), 'utf8');
    assert.equal(ready.report?.ready, true, `init failed: ${log}`);
    assert.equal(log, 'venv=/dstack/venv active=/dstack/venv python=/dstack/venv/bin/python\n');
    assert.equal((await onHost(`podman inspect -f '{{.ImageName}}' dstack-vsc-${tags.instanceId}`)).trim(), `docker.io/${DSTACK_BASE_IMAGE}`);

    const userConfig = path.join(state, 'home', '.ssh', 'config');
    mkdirSync(path.dirname(userConfig), { recursive: true });
    const access = new SshAccess(sshPaths(state), userConfig);
    await access.publish((await backend.endpoint(tags.instanceId))!);
    const r = await ssh(userConfig, 'ctr-venv', 'echo "$DSTACK_VENV_DIR $VIRTUAL_ENV $(command -v python)"; cat /tmp/uv-stand-in.log /dstack/profile');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, [
      '/dstack/venv /dstack/venv /dstack/venv/bin/python',
      'uv venv -q --prompt dstack -p 3.12 --seed /dstack/venv',
      'export DSTACK_VENV_DIR=/dstack/venv',
      '. $DSTACK_VENV_DIR/bin/activate',
      '',
    ].join('\n'));
    await backend.terminate(tags.instanceId);
    await access.retract('ctr-venv');
  });

  it('logs in to the registry with the password on stdin (a registry of the test\'s own on the test subnet), runs --privileged, and a wrong password fails the start naming registry_auth', async () => {
    // A registry that only answers /v2/ with basic auth (what `podman login` checks), on this machine's bridge address.
    const seen: string[] = [];
    const registry = http.createServer((req, res) => {
      const auth = req.headers.authorization ?? '';
      seen.push(`${req.method} ${req.url} ${auth === '' ? '-' : Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString()}`);
      if (req.url === '/v2/' && auth === `Basic ${Buffer.from(`ci-bot:${REGISTRY_PASSWORD}`).toString('base64')}`) { res.writeHead(200, { 'Docker-Distribution-API-Version': 'registry/2.0' }).end('{}'); return; }
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="dvs-test"', 'Docker-Distribution-API-Version': 'registry/2.0' }).end();
    });
    const bridge = `10.201.${hosts.net}.1`;
    await new Promise<void>((resolve) => registry.listen(0, bridge, resolve));
    const server = `${bridge}:${(registry.address() as AddressInfo).port}`;
    writeFileSync(path.join(hosts.hostDir('c1'), 'etc-containers', 'registries.conf.d', 'dvs-test-registry.conf'), `[[registry]]\nlocation = "${server}"\ninsecure = true\n`);
    const paths = sshPaths(state);
    const key = readFileSync(path.join(state, 'project', 'key'), 'utf8');
    const conn = await connectSsh({ host: ip, port: 22, user: 'root', privateKeys: [key], hostKeyAlias: `ctr-${ip}` }, { knownHosts: new KnownHosts(paths.knownHosts, paths.lock) });
    const hostKey = generateKeyPair();
    const job = (instanceId: string, password: string): HostJob => ({
      instanceId, env: {}, init: ['echo ok'], sshPort: 10090, authorizedKey: generateKeyPair().publicKey, hostPrivateKey: hostKey.privateKey,
      inactivitySecs: 0, maxDurationSecs: 0, leaseSecs: 60,
      container: { runtime: 'podman', image: TEST_IMAGE, privileged: true, gpus: false, imageCommands: [], venvDir: null, registry: { server, username: 'ci-bot', password } },
    });
    try {
      await assert.rejects(new HostAgent(conn, 'c0ffee00-0004').start(job('c0ffee00-0004', 'wrong')),
        (e: Error) => e.message.startsWith(`Logging in to registry ${server} as ci-bot on ${ip} failed: `) && e.message.endsWith('check registry_auth in the configuration.'));
      const agent = new HostAgent(conn, 'c0ffee00-0005');
      await agent.start(job('c0ffee00-0005', REGISTRY_PASSWORD));
      for (let i = 0; i < 150 && !(await agent.status()).ready; i++) await new Promise((r) => setTimeout(r, 200));
      assert.equal((await agent.status()).state, 'ready', await agent.initLog());
      assert.ok(seen.includes(`GET /v2/ ci-bot:${REGISTRY_PASSWORD}`), seen.join('\n'));
      assert.match(await onHost('cat /run/containers/0/auth.json'), new RegExp(`"${server.replace(/\./g, '\\.')}"`), 'podman keeps the login');
      assert.equal((await onHost("podman inspect -f '{{.HostConfig.Privileged}}' dstack-vsc-c0ffee00-0005")).trim(), 'true');
      assert.equal(await onHost(`grep -rl -F ${REGISTRY_PASSWORD} /root/.dstack-vsc || true`), '', 'the password is in no file of ours on the host');
      await agent.stop();
    } finally {
      conn.close();
      registry.close();
    }
  });

  it("falls back to --runtime runc where podman's crun refuses to create containers, and says so in the run's log", async () => {
    const offer = (await backend.listOffers()).find((o) => o.region === ip2) as Offer;
    const tags = { installation: 'inst-ctr', runName: 'ctr-runc', instanceId: 'c0ffee00-0002' };
    await backend.create(offer, tags, '', {
      runId: 'run-runc', runName: 'ctr-runc', env: {}, init: ['echo "init in $(head -1 /etc/os-release)"'], workingDir: null,
      inactivityDuration: null, maxDuration: null, leaseFile: '/unused', configuration: { image: TEST_IMAGE },
    });
    const ready = await until(tags.instanceId, (v) => v.report?.ready === true || v.report?.initExitCode !== undefined, 'ready');
    const log = readFileSync(backend.logFile(tags.instanceId), 'utf8');
    assert.equal(ready.report?.ready, true, `init failed: ${log}`);
    assert.match(log, /^crun failed on this host \(.*TH_BROKEN_CRUN.*\); retrying with --runtime runc\ninit in PRETTY_NAME="dvs-mini"\n$/);
    assert.equal((await onHost(`podman inspect -f '{{.OCIRuntime}}' dstack-vsc-${tags.instanceId}`, ip2)).trim(), 'runc');
    await backend.terminate(tags.instanceId);
    assert.equal((await onHost(`podman ps -a --filter label=dev.dstack-vsc.instance=${tags.instanceId} --format '{{.Names}}'`, ip2)).trim(), '', 'the container is removed');
  });
});
