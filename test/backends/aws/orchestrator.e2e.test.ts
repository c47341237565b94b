// The whole EC2 path through the orchestrator and the CLI: the real AWS SDK over HTTP to the project's EC2 fake,
// whose instance's public IP is a real OpenSSH test host (netns) on which the fake emulates cloud-init (the user
// data's key goes into root's authorized_keys when the instance starts running). `apply` → RunInstances → running →
// the agent over SSH (upload, init, ready) → `ssh -F <our config> <run>` runs in the working dir → `stop` keeps the
// instance idle (environment, sessions and working dir gone, the idle watchdog armed, `ps` shows it with its price)
// → a second `apply` reuses it (no RunInstances; a new host key, the new code and env) → `stop` → with the clock
// past idle_duration the orchestrator terminates it and removes the ssh entry, the pinned key and the job record.

import { strict as assert } from 'node:assert';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/run-cli';
import { waitForRun } from '../../cli/wait-run';
import { instanceHostKeyAlias } from '../../../src/backends/aws/instance-agent';
import { sshPaths } from '../../../src/backends/ssh/config/paths';
import { generateKeyPair } from '../../../src/backends/ssh/keys';
import { closeBackends } from '../../../src/orchestrator/backends-registry';
import { openRuntime } from '../../../src/orchestrator/runtime';
import { Store } from '../../../src/orchestrator/store/store';
import { hostsUnavailable, skipUnless, sshClientUnavailable, TestHosts } from '../../harness/hosts';
import { git, writeTree } from '../ssh/upload/helpers';
import { FakeEc2, type FakeInstance } from './fake-ec2/server';
import { TEST_KEYS } from './harness';
import { ssh } from '../../harness/openssh';

interface CliResult { code: number; out: string; err: string }

/** The first run's idle_duration: long enough for the second apply to find the instance idle. */
const IDLE_SECS = 600;

/** Whether a process of this machine (the test host shares it) has `arg` as a command-line argument. */
function running(arg: string): boolean {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).some((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(arg);
    } catch {
      return false;
    }
  });
}

/** The SDK reads its endpoint and credentials from process.env: set for the suite, restored after. */
const SDK_ENV = ['AWS_ENDPOINT_URL_EC2', 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_EC2_METADATA_DISABLED'];

describe('AWS (EC2) through the orchestrator and the CLI: the EC2 fake, an sshd test host as the instance', function () {
  this.timeout(180_000);
  let hosts: TestHosts;
  let fake: FakeEc2;
  let state: string;
  let project: string;
  let env: NodeJS.ProcessEnv;
  let ip: string;
  const saved = new Map<string, string | undefined>();
  const cloudInit: string[] = [];

  async function cli(...argv: string[]): Promise<CliResult> {
    let out = '';
    let err = '';
    const code = await runCli(argv, { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, env, cwd: project, confirm: () => Promise.resolve(false) });
    return { code, out, err };
  }

  before(function () {
    skipUnless(this, hostsUnavailable() ?? sshClientUnavailable());
  });

  before(async () => {
    state = mkdtempSync(path.join(os.tmpdir(), 'dvs-aws-e2e-'));
    project = path.join(state, 'project');
    mkdirSync(project);
    // The host starts with an unrelated key only: our key reaches it through the fake's cloud-init alone.
    hosts = new TestHosts(generateKeyPair('not ours').publicKey);
    ip = hosts.up('ec2', 1);
    const authorized = path.join(hosts.hostDir('ec2'), 'root', '.ssh', 'authorized_keys');
    fake = await FakeEc2.start({
      accessKeys: [TEST_KEYS.accessKeyId], pendingMs: 1_000, shuttingDownMs: 1_000, publicIp: () => ip,
      onRunning: (inst: FakeInstance) => {
        // cloud-init's ssh_authorized_keys: each listed key (a JSON-quoted line) is authorized for the default user.
        for (const m of inst.userData.matchAll(/^ {2}- (".*")$/gm)) {
          const key = JSON.parse(m[1] as string) as string;
          appendFileSync(authorized, `${key}\n`);
          cloudInit.push(key);
        }
      },
    });
    for (const k of SDK_ENV) saved.set(k, process.env[k]);
    for (const k of SDK_ENV) delete process.env[k];
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_EC2: fake.url, AWS_ACCESS_KEY_ID: TEST_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_KEYS.secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true',
    });
    env = {
      DSTACK_VSC_STATE_DIR: state, HOME: state, PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      DSTACK_VSC_AWS_REGIONS: 'us-east-1', DSTACK_VSC_AWS_SSH_USER: 'root', DSTACK_VSC_AWS_SSH_CIDR: '10.201.0.0/16',
    };
    writeTree(project, {
      'app.py': 'print(42)\n',
      '.gitignore': 'secret.txt\n',
      'secret.txt': 'never uploaded\n',
      'dev.dstack.yml': [
        'type: dev-environment', 'name: ec2-run', 'ide: vscode', 'backends: [aws]', 'regions: [us-east-1]', 'spot_policy: on-demand', `idle_duration: ${IDLE_SECS}s`,
        'resources:', '  cpu: 2..', '  disk: 120GB', 'env:', '  - TOKEN=not-on-disk-after-start', 'init:', '  - echo "init ran in $(pwd)" > init.txt', '  - echo "init says \'hi\' $DSTACK_RUN_NAME"', '',
      ].join('\n'),
      'second.dstack.yml': [
        'type: dev-environment', 'name: ec2-second', 'ide: vscode', 'backends: [aws]', 'regions: [us-east-1]', 'spot_policy: on-demand',
        'resources:', '  cpu: 2..', '  disk: 120GB', 'env:', '  - TOKEN=second-token', 'init:', '  - echo "second init in $(pwd)" > init2.txt', '  - echo "second says $DSTACK_RUN_NAME"', '',
      ].join('\n'),
    });
    git(project, 'init', '-q');
    git(project, 'add', 'app.py', '.gitignore', 'dev.dstack.yml', 'second.dstack.yml');
    git(project, 'commit', '-qm', 'init');
  });

  after(async () => {
    for (const [k, v] of saved) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    await fake?.close();
    hosts?.down();
  });

  it('apply provisions an EC2 instance and starts the agent over SSH; stop keeps it idle; a second apply reuses it; idle_duration ends it', async () => {
    const offers = await cli('offer', '--backend', 'aws', '--json');
    assert.equal(offers.code, 0, offers.err);
    assert.ok(fake.calls('DescribeInstanceTypeOfferings').length > 0, 'offer asked the live API');

    const applied = await cli('apply', '-f', path.join(project, 'dev.dstack.yml'), '-y', '-d');
    assert.equal(applied.code, 0, applied.out + applied.err);
    assert.match(applied.out, /Run ec2-run submitted, detaching/);
    const run = await waitForRun(state, 'ec2-run', 120_000);
    assert.equal(run?.status, 'running');
    const instanceId = run?.instanceId ?? assert.fail('no instance');

    // One RunInstances, with our client key in the user data (the only way the key reached the host), the disk and the tags.
    const [launch, ...more] = fake.calls('RunInstances');
    assert.equal(more.length, 0);
    assert.equal(launch?.params.get('BlockDeviceMapping.1.Ebs.VolumeSize'), '120');
    assert.equal(launch?.params.get('InstanceMarketOptions.MarketType'), undefined);
    const ourKey = readFileSync(`${sshPaths(state).identity}.pub`, 'utf8').trim();
    assert.deepEqual(cloudInit, [ourKey]);
    const [inst] = fake.live();
    assert.equal(inst?.tags['dstack-vsc:instance-id'], instanceId);
    assert.equal(inst?.tags['dstack-vsc:run-name'], 'ec2-run');
    assert.deepEqual(fake.securityGroups.get(inst?.securityGroupIds[0] ?? '')?.ingress, [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '10.201.0.0/16' }]);

    // The agent ran on the instance: code uploaded (git-ignored files left out), init ran in the working dir.
    const agentDir = path.join(hosts.hostDir('ec2'), 'root', '.dstack-vsc', instanceId);
    assert.ok(existsSync(path.join(agentDir, 'repo', 'app.py')), 'the code was uploaded');
    assert.ok(!existsSync(path.join(agentDir, 'repo', 'secret.txt')), 'git-ignored files are not uploaded');
    assert.equal(readFileSync(path.join(agentDir, 'repo', 'init.txt'), 'utf8'), `init ran in /root/.dstack-vsc/${instanceId}/repo\n`);
    // The instance's host key is pinned under the instance's own alias; the job record no longer holds the env.
    const paths = sshPaths(state);
    assert.match(readFileSync(paths.knownHosts, 'utf8'), new RegExp(`^${instanceHostKeyAlias(instanceId)} ssh-`, 'm'));
    const record = path.join(state, 'aws', 'jobs', `${instanceId}.json`);
    assert.ok(existsSync(record));
    assert.ok(!readFileSync(record, 'utf8').includes('not-on-disk-after-start'), 'the env left our state dir once the agent held it');
    assert.ok(!readFileSync(record, 'utf8').includes('PRIVATE KEY'), 'so did the environment\'s host key');

    // The OpenSSH client reaches the environment through the published entry (ProxyJump through the instance).
    const r = await ssh(paths.config, 'ec2-run', 'pwd; cat app.py; printf "%s|%s\\n" "$TOKEN" "$DSTACK_RUN_NAME"');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `/root/.dstack-vsc/${instanceId}/repo\nprint(42)\nnot-on-disk-after-start|ec2-run\n`);

    // Init output came back to this machine: `logs` shows it.
    const logs = await cli('logs', 'ec2-run');
    assert.equal(logs.code, 0, logs.err);
    assert.match(logs.out, /init says 'hi' ec2-run\n/);

    // A process the user left behind in a session (nohup): part of the run, it must not outlive it.
    const nohup = await ssh(paths.config, 'ec2-run', 'nohup sleep 777 > /dev/null 2>&1 & echo started');
    assert.equal(nohup.status, 0, nohup.stderr);

    // Stop: the run ends, the instance is kept idle for idle_duration, its environment is gone.
    const stopped = await cli('stop', 'ec2-run', '-y');
    assert.equal(stopped.code, 0, stopped.out + stopped.err);
    assert.equal(fake.calls('TerminateInstances').length, 0, 'kept, not terminated');
    assert.equal(fake.live().length, 1);
    let st = await new Store(state).read();
    const kept = st.instances.find((i) => i.id === instanceId);
    assert.equal(kept?.status, 'idle');
    assert.equal(kept?.idleDuration, IDLE_SECS);
    assert.ok(!existsSync(agentDir), 'the agent, its sshd and the working dir are gone');
    assert.ok(!running('777'), 'the session\'s leftover process was killed');
    const idleDir = path.join(hosts.hostDir('ec2'), 'root', '.dstack-vsc', `${instanceId}.idle`);
    assert.match(readFileSync(path.join(idleDir, 'params'), 'utf8'), new RegExp(`^IDLE=${IDLE_SECS}\nLEASE=120\nPOLL=5\nTOKEN=[0-9a-f]+\n$`));
    assert.ok(running(`/root/.dstack-vsc/${instanceId}.idle`), 'the idle watchdog runs on the instance');
    assert.ok(!/Host ec2-run\b/.test(readFileSync(paths.config, 'utf8')), 'the finished run is not published');
    assert.ok((JSON.parse(readFileSync(record, 'utf8')) as { idle?: unknown }).idle, 'the job record says the instance is idle');
    // `ps` shows what still costs money; its scheduler pass renews the idle instance's lease.
    const leaseFile = path.join(idleDir, 'lease');
    const leaseBefore = statSync(leaseFile).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const psFrom = Date.now();
    const ps = await cli('ps');
    const psTo = Date.now();
    assert.ok(statSync(leaseFile).mtimeMs > leaseBefore, 'the orchestrator renewed the idle lease');
    assert.equal(ps.code, 0, ps.err);
    const row = ps.out.split('\n').find((l) => l.includes(inst?.instanceId ?? '-'));
    assert.ok(ps.out.includes('Idle instances') && row, ps.out);
    const idleCell = new RegExp(`aws \\(us-east-1\\) .*\\$${String(kept?.offer.pricePerHour).replace('.', '\\.')} +idle +ends in (?:(\\d+)m)?(?: ?(\\d+)s)? *$`).exec(row);
    assert.ok(idleCell, row);
    // idle_duration from when the stop left the instance idle, as of when ps looked (it rounds up to the second):
    // 10m, or 9m and some seconds, depending on whether a second went by between the stop's pass and ps.
    const endsAt = (kept?.idleSince ?? assert.fail('the idle instance has no idleSince')) + IDLE_SECS * 1000;
    const left = Number(idleCell[1] ?? 0) * 60 + Number(idleCell[2] ?? 0);
    assert.ok(left >= Math.ceil((endsAt - psTo) / 1000) && left <= Math.ceil((endsAt - psFrom) / 1000), `${row}: ${(endsAt - psTo) / 1000} to ${(endsAt - psFrom) / 1000} s left`);

    // A second apply whose plan has the instance's offer takes it: no RunInstances, a new job on the same machine.
    writeFileSync(path.join(project, 'app.py'), 'print(43)\n');
    git(project, 'commit', '-qam', 'second');
    const second = await cli('apply', '-f', path.join(project, 'second.dstack.yml'), '-y', '-d');
    assert.equal(second.code, 0, second.out + second.err);
    assert.match(second.out, /Run ec2-second submitted, detaching/);
    // The detached driver (the SDK's variables reach it through this process's env) takes the run to running; what
    // apply printed before (`Offer 1: aws (us-east-1) ...: reused the idle instance`) is the store's one attempt.
    const run2 = await waitForRun(state, 'ec2-second', 120_000);
    assert.equal(run2.status, 'running', `${run2.status}: ${JSON.stringify(run2.attempts)}`);
    assert.deepEqual(run2.attempts.map((a) => [a.offerIndex, a.backend, a.region, a.outcome, a.reusedInstanceId]), [[0, 'aws', 'us-east-1', 'created', instanceId]]);
    assert.equal(fake.calls('RunInstances').length, 1, 'no second instance');
    st = await new Store(state).read();
    assert.equal(run2.instanceId, instanceId, 'the idle instance was reused');
    assert.ok(!existsSync(idleDir), 'the idle watchdog was stopped');
    assert.ok(!existsSync(path.join(agentDir, 'repo', 'init.txt')), 'nothing of the first run is left');
    assert.equal(readFileSync(path.join(agentDir, 'repo', 'init2.txt'), 'utf8'), `second init in /root/.dstack-vsc/${instanceId}/repo\n`);
    assert.ok(!readFileSync(record, 'utf8').includes('second-token'), 'the second env left our state dir too');
    const r2 = await ssh(paths.config, 'ec2-second', 'cat app.py; printf "%s|%s\\n" "$TOKEN" "$DSTACK_RUN_NAME"');
    assert.equal(r2.status, 0, r2.stderr);
    assert.equal(r2.stdout, 'print(43)\nsecond-token|ec2-second\n', 'the new code and env');
    const hostKeys = readFileSync(paths.knownHosts, 'utf8');
    assert.ok(kept?.ssh?.hostPublicKey);
    assert.notEqual(st.instances.find((i) => i.id === instanceId)?.ssh?.hostPublicKey, kept.ssh.hostPublicKey, 'a new host key for the new environment');
    assert.ok(hostKeys.includes(instanceHostKeyAlias(instanceId)), 'the instance\'s own key stays pinned');
    const logs2 = await cli('logs', 'ec2-second');
    assert.match(logs2.out, /second says ec2-second\n/);
    assert.ok(!logs2.out.includes('init says'), 'each run has its own output');
    assert.match((await cli('logs', 'ec2-run')).out, /init says 'hi' ec2-run\n/);

    const stopped2 = await cli('stop', 'ec2-second', '-y');
    assert.equal(stopped2.code, 0, stopped2.out + stopped2.err);
    assert.equal((await new Store(state).read()).instances.find((i) => i.id === instanceId)?.status, 'idle');

    // idle_duration passes (the clock moved on): the orchestrator terminates it (idle_timeout).
    const later = openRuntime(env, { clock: { now: () => Date.now() + (IDLE_SECS + 1) * 1000 } });
    try {
      for (let i = 0; i < 10 && (await later.store.read()).instances.some((x) => x.status !== 'terminated'); i++) {
        await later.leader.step(true);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      await later.leader.stop();
      await closeBackends(later.backends);
    }
    const ended = (await new Store(state).read()).instances.find((i) => i.id === instanceId);
    assert.equal(ended?.terminationReason, 'idle_timeout');
    assert.equal(ended?.status, 'terminated');
    assert.equal(fake.calls('TerminateInstances').length, 1);
    assert.deepEqual(fake.live(), []);
    assert.equal(fake.instances.get(inst?.instanceId ?? '')?.state, 'terminated', 'the EC2 instance is terminated');
    const config = readFileSync(paths.config, 'utf8');
    assert.ok(!/Host ec2-(run|second)\b/.test(config), config);
    assert.ok(!readFileSync(paths.knownHosts, 'utf8').includes(instanceHostKeyAlias(instanceId)), 'the pinned instance key is forgotten');
    assert.ok(!existsSync(record), 'the job record is gone');
  });
});
