// SSH fleets through the orchestrator and the CLI, on real sshd test hosts: `apply` of a fleet config
// (one host behind proxy_jump, one with a GPU) → `offer` lists the probed hosts → `apply` of a dev
// environment on the jump-only host → running (agent, code, init) → the OpenSSH client runs a command in
// the working dir with the env verbatim → outages while running (seen through the scheduler's own loop) and while
// provisioning → `stop` cleans up, the published `Host <run>` entry included.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/run-cli';
import { waitForRun } from '../../cli/wait-run';
import { SshAccess } from '../../../src/backends/ssh/access';
import { sshPaths } from '../../../src/backends/ssh/config/paths';
import { generateKeyPair } from '../../../src/backends/ssh/keys';
import { closeBackends } from '../../../src/orchestrator/backends-registry';
import type { RunRecord } from '../../../src/orchestrator/model/run';
import { openRuntime } from '../../../src/orchestrator/runtime';
import { Store } from '../../../src/orchestrator/store/store';
import { hostsUnavailable, skipUnless, sshClientUnavailable, TestHosts } from '../../harness/hosts';
import { git, writeTree } from './upload/helpers';
import { ssh } from '../../harness/openssh';
import { observePasses, timeline, until, watchRun } from '../../harness/scheduler-watch';

interface CliResult { code: number; out: string; err: string }

const TRICKY = `it's "quoted" $(touch /tmp/pwned-dvs) \`touch /tmp/pwned-dvs2\` $HOME \\ end`;

describe('SSH fleets through the orchestrator and the CLI on real sshd test hosts', function () {
  this.timeout(300_000);
  let hosts: TestHosts;
  let state: string;
  let project: string;
  let env: NodeJS.ProcessEnv;
  let ip1: string;
  let ip2: string;
  let ipj: string;

  async function cli(...argv: string[]): Promise<CliResult> {
    let out = '';
    let err = '';
    const code = await runCli(argv, { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, env, cwd: project, confirm: () => Promise.resolve(false) });
    return { code, out, err };
  }

  async function runNamed(name: string): Promise<RunRecord | undefined> {
    return (await new Store(state).read()).runs.find((r) => r.name === name);
  }

  before(function () {
    skipUnless(this, hostsUnavailable() ?? sshClientUnavailable());
  });

  before(() => {
    state = mkdtempSync(path.join(os.tmpdir(), 'dvs-fleet-e2e-'));
    project = path.join(state, 'project');
    mkdirSync(project);
    // The user's own key (not ours): the fleet's identity_file, authorized on every host.
    const userKey = generateKeyPair('user key');
    writeFileSync(path.join(project, 'id_user'), userKey.privateKey, { mode: 0o600 });
    hosts = new TestHosts(userKey.publicKey);
    ip1 = hosts.up('h1', 1);
    ip2 = hosts.up('h2', 2, 'NVIDIA L40S\t46068\t0\t0\tGPU-1\t550.90.07\t00000000:19:00.0\n');
    ipj = hosts.isolated('hj', 'h1');
    env = { DSTACK_VSC_STATE_DIR: state, HOME: state, PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
    writeTree(project, {
      'app.py': 'print(42)\n',
      '.gitignore': 'secret.txt\n',
      'secret.txt': 'never uploaded\n',
      'fleet.dstack.yml': [
        'type: fleet', 'name: my-hosts', 'ssh_config:', '  user: root', '  identity_file: id_user', '  hosts:',
        `    - ${ip1}`, `    - hostname: ${ip2}`, `    - hostname: ${ipj}`, '      proxy_jump:', `        hostname: ${ip1}`, '        user: root', '        identity_file: id_user', '',
      ].join('\n'),
      'dev.dstack.yml': [
        'type: dev-environment', 'name: fleet-run', 'ide: vscode', 'backends: [remote]', `regions: ["${ipj}"]`, 'resources:', '  disk: 1GB..',
        'env:', `  TRICKY: ${JSON.stringify(TRICKY)}`, 'init:', '  - echo "init ran in $(pwd)" > init.txt',
        "  - 'echo ''q \" $(date) `uname` end'''", "  - printf '%s\\n' \"$TRICKY\"", '',
      ].join('\n'),
    });
    git(project, 'init', '-q');
    git(project, 'add', 'app.py', '.gitignore', 'fleet.dstack.yml', 'dev.dstack.yml');
    git(project, 'commit', '-qm', 'init');
  });

  after(() => {
    hosts?.down();
  });

  it('apply -f fleet.dstack.yml registers the fleet and prints its probed hosts; re-applying detects no changes', async () => {
    const r = await cli('apply', '-f', 'fleet.dstack.yml', '-y');
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /Fleet my-hosts does not exist yet\./);
    assert.match(r.out, /FLEET +INSTANCE +BACKEND +RESOURCES +PRICE +STATUS +CREATED/);
    const rows = r.out.split('\n').filter((l) => l.includes('ssh ('));
    assert.equal(rows.length, 3, r.out);
    assert.match(rows[0] ?? '', new RegExp(`my-hosts +0 +ssh \\(${ip1.replace(/\./g, '\\.')}\\) +cpu=\\d+ mem=[\\d.]+GB disk=[\\d.]+GB +\\$0 +idle`));
    assert.match(rows[1] ?? '', /L40S:48GB:1/);
    assert.match(rows[2] ?? '', new RegExp(`2 +ssh \\(${ipj.replace(/\./g, '\\.')}\\).* idle`));
    const stored = JSON.parse(readFileSync(path.join(state, 'fleets.json'), 'utf8')) as { fleets: Array<{ name: string; sshConfig: { hosts: unknown[] } }> };
    assert.deepEqual(stored.fleets.map((f) => [f.name, f.sshConfig.hosts.length]), [['my-hosts', 3]]);
    // Host keys were pinned on first use, under the fleet's aliases (the jump host too).
    const known = readFileSync(sshPaths(state).knownHosts, 'utf8');
    for (const alias of [`fleet-host-${ip1}`, `fleet-host-${ip2}`, `fleet-host-${ipj}`, `fleet-jump-${ip1}`]) assert.match(known, new RegExp(`^${alias.replace(/\./g, '\\.')} ssh-ed25519 `, 'm'));

    const again = await cli('apply', '-f', 'fleet.dstack.yml', '-y');
    assert.equal(again.code, 0, again.out + again.err);
    assert.match(again.out, /Fleet my-hosts already exists\. Detected no changes\./);
    const list = await cli('fleet');
    assert.equal(list.code, 0, list.err);
    assert.equal(list.out.split('\n').filter((l) => l.includes('ssh (')).length, 3);
  });

  it('offer lists the fleet hosts (backend ssh) with probed CPU, memory and the GPU host\'s GPU', async () => {
    const r = await cli('offer', '--backend', 'ssh', '--json');
    assert.equal(r.code, 0, r.err);
    const offers = (JSON.parse(r.out) as { offers: Array<{ backend: string; region: string; price: number; availability: string; resources: { cpus: number; memory_mib: number; gpus: Array<{ name: string }> } }> }).offers;
    assert.deepEqual(offers.map((o) => o.region).sort(), [ip1, ip2, ipj].sort());
    for (const o of offers) {
      assert.equal(o.backend, 'ssh');
      assert.equal(o.price, 0);
      assert.equal(o.availability, 'available');
      assert.ok(o.resources.cpus >= 1 && o.resources.memory_mib > 0, JSON.stringify(o));
    }
    assert.deepEqual(offers.find((o) => o.region === ip2)?.resources.gpus.map((g) => g.name), ['L40S']);
    const gpu = await cli('offer', '--gpu', 'L40S');
    assert.match(gpu.out, new RegExp(`ssh \\(${ip2.replace(/\./g, '\\.')}\\)`));
  });

  it('a dev environment on the jump-only host reaches running; `ssh -F` runs in its working dir with the env verbatim; an outage is survived; stop cleans up', async () => {
    const applied = await cli('apply', '-f', path.join(project, 'dev.dstack.yml'), '-y', '-d');
    assert.equal(applied.code, 0, applied.out + applied.err);
    assert.match(applied.out, /Run fleet-run submitted, detaching/);
    await waitForRun(state, 'fleet-run');
    const run = await runNamed('fleet-run');
    assert.equal(run?.status, 'running');
    const instanceId = run?.instanceId ?? assert.fail('no instance');
    const agentDir = path.join(hosts.hostDir('hj'), 'root', '.dstack-vsc', instanceId);
    assert.ok(existsSync(path.join(agentDir, 'repo', 'app.py')), 'the code was uploaded');
    assert.ok(!existsSync(path.join(agentDir, 'repo', 'secret.txt')), 'git-ignored files are not uploaded');
    assert.equal(readFileSync(path.join(agentDir, 'repo', 'init.txt'), 'utf8'), `init ran in /root/.dstack-vsc/${instanceId}/repo\n`);
    const archive = run?.spec.codeArchive ?? assert.fail('the run carries no code archive');
    assert.equal(archive, path.join(state, 'uploads', `${run?.id}.tar`));
    assert.ok(existsSync(archive), 'the archive approved at apply stays while the run is active');
    const busy = await cli('offer', '--backend', 'ssh', '--json');
    assert.equal((JSON.parse(busy.out) as { offers: Array<{ region: string; availability: string }> }).offers.find((o) => o.region === ipj)?.availability, 'busy');

    // The orchestrator published `Host fleet-run` (through the jump host and the host) and the Include itself.
    const paths = sshPaths(state);
    const access = new SshAccess(paths, path.join(state, 'ssh', 'user_config'));
    assert.deepEqual(await access.published(), ['fleet-run'], 'the scheduler published the running environment');
    assert.match(readFileSync(paths.config, 'utf8'), /^Host fleet-run$/m);
    assert.ok(readFileSync(path.join(state, 'ssh', 'user_config'), 'utf8').includes(`Include "${paths.config}"`), 'the user ssh config includes ours');
    const cmd = 'pwd; cat app.py; printf "%s|%s\\n" "$TRICKY" "$DSTACK_RUN_NAME"';
    const r = await ssh(paths.config, 'fleet-run', cmd);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `/root/.dstack-vsc/${instanceId}/repo\nprint(42)\n${TRICKY}|fleet-run\n`);
    const recorded = (await new Store(state).read()).instances.find((i) => i.id === instanceId);
    assert.equal(recorded?.workingDir, `/root/.dstack-vsc/${instanceId}/repo`, 'the instance record holds the working dir `ssh fleet-run` lands in (what Open in VS Code opens)');
    assert.ok(!existsSync(path.join(hosts.hostDir('hj'), 'root', 'pwned-dvs')) && !existsSync('/tmp/pwned-dvs') && !existsSync('/tmp/pwned-dvs2'), 'nothing in the env value ran');

    // Outages of the jump host while running (blackholed, reset, link down), with the scheduler led the way a VS Code
    // window leads it (the real loop and cadence): `ps` shows the run running on the same instance throughout, and
    // within 10 s of the heal the scheduler reaches the agent again (the lease it renews on the host is fresh).
    const rt = openRuntime(env);
    const passes = observePasses(rt.scheduler);
    const loopErrors: unknown[] = [];
    rt.leader.start((e) => loopErrors.push(e));
    const lease = path.join(agentDir, 'lease');
    try {
      await until(() => passes.some((p) => p.end !== null), 30_000, 'the first pass of the loop');
      for (const fault of ['drop', 'reject', 'down'] as const) {
        const view = watchRun(state, 'fleet-run');
        let healedAt = 0;
        try {
          hosts.run(['fault', 'h1', fault]);
          const faultAt = Date.now();
          // The outage lasts until the scheduler has seen it: a pass that began after the fault has ended.
          await until(() => passes.some((p) => p.start > faultAt && p.end !== null), 60_000, `${fault}: a scheduler pass during the outage`);
          assert.ok(statSync(lease).mtimeMs < faultAt, `${fault}: no lease renewal reached the host during the outage`);
        } finally {
          hosts.run(['fault', 'h1', 'heal']);
          healedAt = Date.now();
        }
        const took = await until(() => statSync(lease).mtimeMs >= healedAt, 10_000, `${fault}: the scheduler renews the agent's lease within 10 s of the heal`)
          .catch((e: Error) => assert.fail(`${e.message}; passes (s from the heal): ${timeline(passes, healedAt)}`));
        console.log(`    (${fault}: the lease was renewed ${(took / 1000).toFixed(1)} s after the heal)`);
        const seen = await view.stop();
        assert.deepEqual([...new Set(seen.map((r) => `${r.status} ${r.instanceId}`))], [`running ${instanceId}`], `${fault}: the store (ps) shows the run running on its instance throughout`);
        const ps = await cli('ps', '--json');
        assert.deepEqual((JSON.parse(ps.out) as Array<{ name: string; status: string }>).map((r) => [r.name, r.status]), [['fleet-run', 'running']]);
      }
    } finally {
      await rt.leader.stop();
      await closeBackends(rt.backends);
    }
    assert.deepEqual(loopErrors, [], 'the scheduler loop never failed');
    const after = await ssh(paths.config, 'fleet-run', 'echo still here');
    assert.equal(after.stdout, 'still here\n', after.stderr);
    // The init output reached the run's log on this machine byte for byte (quotes, $(...), backticks unexpanded).
    const logs = await cli('logs', 'fleet-run');
    assert.equal(logs.code, 0, logs.err);
    assert.equal(logs.out, `q " $(date) \`uname\` end\n${TRICKY}\n`);

    const stopped = await cli('stop', 'fleet-run', '-y');
    assert.equal(stopped.code, 0, stopped.out + stopped.err);
    assert.notEqual((await runNamed('fleet-run'))?.status, 'running');
    assert.ok(!existsSync(agentDir), 'the agent directory is gone from the host');
    assert.ok(!existsSync(archive), 'the code archive went with the run');
    const leftovers = spawnSync('pgrep', ['-af', instanceId], { encoding: 'utf8' });
    assert.equal(leftovers.stdout, '', 'no agent process is left on the host');
    assert.deepEqual(await access.published(), [], 'the orchestrator retracted the ssh config entry with the environment');
    assert.doesNotMatch(readFileSync(paths.config, 'utf8'), /^Host fleet-run/m);
    const free = await cli('offer', '--backend', 'ssh', '--json');
    assert.equal((JSON.parse(free.out) as { offers: Array<{ region: string; availability: string }> }).offers.find((o) => o.region === ipj)?.availability, 'available');
  });

  it('a host that goes dark during provisioning fails over to the next host', async () => {
    writeFileSync(path.join(project, 'failover.dstack.yml'), [
      'type: dev-environment', 'name: failover-run', 'ide: vscode', 'backends: [remote]', `regions: ["${ip1}", "${ip2}"]`, 'resources:', '  disk: 1GB..', '',
    ].join('\n'));
    // Both hosts offered (probes cached), then the first goes dark: it is still in the plan and fails at create.
    let offered: string[] = [];
    for (let i = 0; i < 20 && !offered.includes(ip1); i++) {
      const o = await cli('offer', '--backend', 'ssh', '--json');
      offered = (JSON.parse(o.out) as { offers: Array<{ region: string; availability: string }> }).offers.filter((x) => x.availability === 'available').map((x) => x.region);
      if (!offered.includes(ip1)) await new Promise((res) => setTimeout(res, 500));
    }
    assert.ok(offered.includes(ip1) && offered.includes(ip2), `both hosts are offered before the outage: ${offered.join(', ')}`);
    hosts.run(['fault', 'h1', 'drop']);
    let applied: CliResult;
    try {
      applied = await cli('apply', '-f', path.join(project, 'failover.dstack.yml'), '-y', '-d');
      // The detached driver provisions while the host is still dark.
      await waitForRun(state, 'failover-run', 120_000);
    } finally {
      hosts.run(['fault', 'h1', 'heal']);
    }
    assert.equal(applied.code, 0, applied.out + applied.err);
    const run = await runNamed('failover-run');
    // The dark host either fails at create (then the next offer is tried) or is left out of the plan when its probe is refreshed.
    const attempts = run?.attempts.map((a) => [a.region, a.outcome]) ?? [];
    assert.deepEqual(attempts.at(-1), [ip2, 'created'], JSON.stringify(attempts));
    assert.ok(attempts.slice(0, -1).every(([region, outcome]) => region === ip1 && outcome !== 'created'), JSON.stringify(attempts));
    assert.equal(run?.status, 'running');
    const stopped = await cli('stop', 'failover-run', '-y');
    assert.equal(stopped.code, 0, stopped.out + stopped.err);
  });

  it('apply --no-repo uploads nothing: the working dir on the host holds no repo files', async () => {
    writeFileSync(path.join(project, 'norepo.dstack.yml'), [
      'type: dev-environment', 'name: norepo-run', 'ide: vscode', 'backends: [remote]', `regions: ["${ip1}"]`, 'resources:', '  disk: 1GB..',
      'init:', '  - ls -A > /root/norepo-listing.txt', '',
    ].join('\n'));
    const applied = await cli('apply', '-f', path.join(project, 'norepo.dstack.yml'), '-y', '-d', '--no-repo');
    assert.equal(applied.code, 0, applied.out + applied.err);
    assert.match(applied.out, /Code upload: none \(--no-repo\)/);
    assert.match(applied.out, /Run norepo-run submitted, detaching/);
    const run = await waitForRun(state, 'norepo-run', 120_000);
    assert.equal(run.status, 'running', `${run.status}: ${JSON.stringify(run.attempts)}`);
    assert.equal(run.spec.codeArchive, undefined);
    const home = path.join(hosts.hostDir('h1'), 'root');
    assert.equal(readFileSync(path.join(home, 'norepo-listing.txt'), 'utf8'), '', 'init saw an empty working dir');
    assert.deepEqual(readdirSync(path.join(home, '.dstack-vsc', run.instanceId ?? '', 'repo')), [], 'no repo file reached the host');
    assert.deepEqual(existsSync(path.join(state, 'uploads')) ? readdirSync(path.join(state, 'uploads')) : [], [], 'no archive was written');
    const stopped = await cli('stop', 'norepo-run', '-y');
    assert.equal(stopped.code, 0, stopped.out + stopped.err);
  });

  it('a host whose key changed is refused with the error that says what it means and how to fix it', async () => {
    const known = sshPaths(state).knownHosts;
    const original = readFileSync(known, 'utf8');
    const alias = `fleet-host-${ip2}`;
    const other = generateKeyPair('impostor').publicKey.split(' ').slice(0, 2).join(' ');
    writeFileSync(known, original.split('\n').map((l) => (l.startsWith(`${alias} `) ? `${alias} ${other}` : l)).join('\n'));
    try {
      const r = await cli('apply', '-f', 'fleet.dstack.yml', '-y');
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, new RegExp(` +1 +ssh \\(${ip2.replace(/\./g, '\\.')}\\) +- +\\$0 +unreachable`));
      assert.ok(r.err.includes(`${ip2}: The host key of ${alias} (${ip2}:22) has changed`), r.err);
      assert.ok(r.err.includes(`ssh-keygen -R ${alias} -f ${known}`), r.err);
    } finally {
      writeFileSync(known, original);
    }
  });

  it('re-applying the fleet with other hosts updates it', async () => {
    const file = path.join(project, 'fleet.dstack.yml');
    writeFileSync(file, ['type: fleet', 'name: my-hosts', 'ssh_config:', '  user: root', '  identity_file: id_user', '  hosts:', `    - ${ip2}`, ''].join('\n'));
    const r = await cli('apply', '-f', 'fleet.dstack.yml', '-y');
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /Found fleet my-hosts\. Configuration changes detected\./);
    const offers = await cli('offer', '--backend', 'ssh', '--json');
    assert.deepEqual((JSON.parse(offers.out) as { offers: Array<{ region: string }> }).offers.map((o) => o.region), [ip2]);
  });
});
