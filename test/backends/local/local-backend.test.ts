import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InstanceJob, ProviderInstance } from '../../../src/backends/backend';
import { LocalBackend } from '../../../src/backends/local/local-backend';
import { connectSsh } from '../../../src/backends/ssh/connect';
import { generateKeyPair } from '../../../src/backends/ssh/keys';
import { KnownHosts } from '../../../src/backends/ssh/known-hosts';
import { isProcessAlive } from '../../../src/orchestrator/store/lock';
import { tempDir } from '../../orchestrator/helpers';
import { cli } from '../../cli/cli-process';
import { waitForRun } from '../../cli/wait-run';
import type { Offer } from '../../../src/backends/offer';

const OFFER: Offer = {
  backend: 'local', region: 'local', instanceType: 'this-host', pricePerHour: 0, availability: 'available',
  resources: { cpuArch: 'x86', cpus: 2, memoryGB: 4, diskGB: 10, gpus: [], spot: false },
};

function job(dir: string, over: Partial<InstanceJob> = {}): InstanceJob {
  return { runId: 'run-1', runName: 'my-run', init: [], env: {}, workingDir: null, inactivityDuration: null, maxDuration: null, leaseFile: path.join(dir, 'leader.json'), ...over };
}

async function until(what: string, fn: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`never became true: ${what}`);
}

async function view(b: LocalBackend, id: string): Promise<ProviderInstance> {
  return (await b.refresh([id]))[0] as ProviderInstance;
}

describe('local backend', function () {
  this.timeout(60_000);

  it('runs init with dstack system variables and the job env, reports ready, is found by tags after a restart', async () => {
    const dir = tempDir();
    const backend = new LocalBackend(dir);
    const tags = { installation: 'inst-1', runName: 'my-run', instanceId: 'i-1' };
    await backend.create(OFFER, tags, '', job(dir, { init: ['echo "run=$DSTACK_RUN_NAME gpus=$DSTACK_GPUS_NUM token=$MY_VAR"', 'pwd'], env: { MY_VAR: 'it works' } }));
    await backend.create(OFFER, tags, '', job(dir)); // idempotent
    await until('ready', async () => (await view(backend, 'i-1')).report?.ready === true);
    const log = fs.readFileSync(backend.logFile('i-1'), 'utf8');
    assert.match(log, /^run=my-run gpus=0 token=it works\n.*\/home\/workflow\n$/);
    assert.equal((await view(backend, 'i-1')).report?.workingDir, log.split('\n')[1], 'the reported working dir is where init ran');
    assert.match(fs.readFileSync(path.join(backend.instanceDir('i-1'), 'profile'), 'utf8'), /export DSTACK_RUN_NAME='my-run'/);
    const restarted = new LocalBackend(dir);
    assert.deepEqual((await restarted.listTagged('inst-1')).map((p) => [p.instanceId, p.state]), [['i-1', 'running']]);
    assert.deepEqual(await restarted.listTagged('other'), []);
    await restarted.terminate('i-1');
    await restarted.terminate('i-1'); // idempotent
    assert.equal((await view(restarted, 'i-1')).state, 'gone');
    assert.equal(fs.existsSync(backend.instanceDir('i-1')), false);
  });

  it('terminate kills the whole process group, including what init started', async () => {
    const dir = tempDir();
    const backend = new LocalBackend(dir);
    const pidFile = path.join(dir, 'sleeper.pid');
    await backend.create(OFFER, { installation: 'x', runName: 'r', instanceId: 'i-2' }, '', job(dir, { init: [`sleep 300 & echo $! > ${pidFile}`, 'wait'] }));
    await until('sleeper started', () => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim() !== '');
    const sleeper = Number(fs.readFileSync(pidFile, 'utf8'));
    assert.ok(isProcessAlive(sleeper));
    await backend.terminate('i-2');
    await until('sleeper killed', () => !isProcessAlive(sleeper));
  });

  it('a failing init is reported with its exit code', async () => {
    const dir = tempDir();
    const backend = new LocalBackend(dir);
    await backend.create(OFFER, { installation: 'x', runName: 'r', instanceId: 'i-3' }, '', job(dir, { init: ['echo broken >&2', 'exit 7'] }));
    await until('failed', async () => (await view(backend, 'i-3')).report?.initExitCode === 7);
    assert.match(fs.readFileSync(backend.logFile('i-3'), 'utf8'), /broken/);
    await backend.terminate('i-3');
  });

  it('counts activity as dstack does: a short SSH connection leaves the inactivity clock running, one open more than 10 s resets it', async () => {
    const dir = tempDir();
    const backend = new LocalBackend(dir);
    const client = generateKeyPair();
    await backend.create(OFFER, { installation: 'x', runName: 'r', instanceId: 'i-act' }, client.publicKey, job(dir));
    await until('ready with SSH', async () => (await view(backend, 'i-act')).report?.ready === true);
    const { ssh } = await view(backend, 'i-act');
    assert.ok(ssh);
    const knownHosts = new KnownHosts(path.join(dir, 'known_hosts'), path.join(dir, 'known_hosts.lock'));
    const connect = () => connectSsh({ host: ssh.host, port: ssh.port, user: ssh.user, privateKeys: [client.privateKey], hostKeyAlias: 'local-activity' }, { knownHosts });
    const idle = async () => (await view(backend, 'i-act')).report?.noConnectionsSecs ?? -1;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      await sleep(2500);
      const probe = await connect();
      assert.equal((await probe.exec('true')).code, 0);
      probe.close();
      await sleep(3000); // more than one agent tick after the probe
      assert.ok(await idle() >= 5, `a short connection is not activity: idle ${await idle()} s`);

      const session = await connect();
      const opened = Date.now();
      try {
        await sleep(6000);
        assert.ok(await idle() >= 10, `a connection open 6 s is not activity yet: idle ${await idle()} s`);
        for (let i = 0; i < 60 && await idle() > 2; i++) await sleep(250);
        assert.ok(await idle() <= 2, `a connection open > 10 s resets the clock: idle ${await idle()} s`);
        assert.ok(Date.now() - opened > 10_000, 'not before it had been open 10 s');
      } finally {
        session.close();
      }
    } finally {
      await backend.terminate('i-act');
    }
  });

  it('python on the default image: a venv at DSTACK_VENV_DIR made with uv (a stand-in here), active in init and in SSH sessions', async function () {
    if (spawnSync('sh', ['-c', 'command -v python3']).status !== 0) this.skip();
    const dir = tempDir();
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    // A stand-in for uv (none on this machine): records its arguments and makes the venv with python3's venv module.
    fs.writeFileSync(path.join(bin, 'uv'), `#!/bin/sh\necho "$@" > ${JSON.stringify(path.join(dir, 'uv-args'))}\nfor a; do d=$a; done\nexec python3 -m venv --without-pip --prompt dstack "$d"\n`, { mode: 0o755 });
    const backend = new LocalBackend(dir);
    const client = generateKeyPair();
    const savedPath = process.env['PATH'];
    process.env['PATH'] = `${bin}:${savedPath ?? ''}`;
    try {
      await backend.create(OFFER, { installation: 'x', runName: 'r', instanceId: 'i-venv' }, client.publicKey,
        job(dir, { init: ['echo "venv=$DSTACK_VENV_DIR active=$VIRTUAL_ENV python=$(command -v python)"'], configuration: { type: 'dev-environment', python: '3.12' } }));
    } finally {
      process.env['PATH'] = savedPath;
    }
    try {
      await until('ready', async () => (await view(backend, 'i-venv')).report?.ready === true);
      const venv = path.join(backend.instanceDir('i-venv'), 'venv');
      assert.equal(fs.readFileSync(path.join(dir, 'uv-args'), 'utf8'), `venv -q --prompt dstack -p 3.12 --seed ${venv}\n`);
      assert.equal(fs.readFileSync(backend.logFile('i-venv'), 'utf8'), `venv=${venv} active=${venv} python=${venv}/bin/python\n`);
      const { ssh } = await view(backend, 'i-venv');
      assert.ok(ssh);
      const conn = await connectSsh({ host: ssh.host, port: ssh.port, user: ssh.user, privateKeys: [client.privateKey], hostKeyAlias: 'local-venv' },
        { knownHosts: new KnownHosts(path.join(dir, 'known_hosts'), path.join(dir, 'known_hosts.lock')) });
      try {
        assert.equal((await conn.exec('echo "$DSTACK_VENV_DIR $(command -v python)"')).stdout, `${venv} ${venv}/bin/python\n`);
      } finally {
        conn.close();
      }
    } finally {
      await backend.terminate('i-venv');
    }
  });

  it('dead-man\'s switch: stops itself after inactivity when no orchestrator holds the lease, or after max_duration', async () => {
    const dir = tempDir();
    const saved = process.env['DSTACK_VSC_AGENT_HEARTBEAT_MS'];
    process.env['DSTACK_VSC_AGENT_HEARTBEAT_MS'] = '100';
    try {
      const backend = new LocalBackend(dir);
      const leaseFile = path.join(dir, 'leader.json');
      fs.writeFileSync(leaseFile, JSON.stringify({ owner: 'o', pid: process.pid, expiresAt: Date.now() + 60_000 }));
      await backend.create(OFFER, { installation: 'x', runName: 'r', instanceId: 'i-4' }, '', job(dir, { inactivityDuration: 1, leaseFile }));
      await backend.create(OFFER, { installation: 'x', runName: 'r', instanceId: 'i-5' }, '', job(dir, { maxDuration: 1, leaseFile }));
      await until('max_duration stop', async () => (await view(backend, 'i-5')).state === 'gone');
      assert.equal((await view(backend, 'i-4')).state, 'running', 'a live lease keeps an inactive instance');
      fs.writeFileSync(leaseFile, JSON.stringify({ owner: 'o', pid: process.pid, expiresAt: Date.now() - 1 }));
      await until('inactivity stop without orchestrator', async () => (await view(backend, 'i-4')).state === 'gone');
      assert.match(fs.readFileSync(backend.logFile('i-4'), 'utf8'), /stopping: inactivity_without_orchestrator/);
      assert.match(fs.readFileSync(backend.logFile('i-5'), 'utf8'), /stopping: max_duration/);
    } finally {
      if (saved === undefined) delete process.env['DSTACK_VSC_AGENT_HEARTBEAT_MS'];
      else process.env['DSTACK_VSC_AGENT_HEARTBEAT_MS'] = saved;
    }
  });

  it('end to end through the CLI: apply -y -d, ps, logs show init output, stop removes the instance', async () => {
    const dir = tempDir();
    const env = { DSTACK_VSC_STATE_DIR: path.join(dir, 'state') };
    const example = path.resolve(__dirname, '../../../examples/dev.dstack.yml');
    // A copy of the example in its own folder: the code upload is that folder, not this repo.
    const config = path.join(dir, 'dev.dstack.yml');
    fs.writeFileSync(config, fs.existsSync(example) ? fs.readFileSync(example) : 'type: dev-environment\nname: local-dev\nide: vscode\ninit:\n  - echo "dev environment ready"\n');
    const name = /^name: (\S+)/m.exec(fs.readFileSync(config, 'utf8'))?.[1] as string;
    const apply = cli(['apply', '-f', config, '-y', '-d'], env);
    assert.equal(apply.code, 0, apply.stderr + apply.stdout);
    assert.match(apply.stdout, /^ 1 +local \(local\) /m);
    assert.match(apply.stdout, new RegExp(`\\nRun ${name} submitted, detaching\\.\\.\\.\\n`));
    assert.equal((await waitForRun(env.DSTACK_VSC_STATE_DIR, name)).status, 'running');
    const ps = cli(['ps'], env);
    assert.match(ps.stdout, new RegExp(`^ ${name} +local \\(local\\) +- +\\$0 +running +`, 'm'));
    const logs = cli(['logs', name], env);
    assert.match(logs.stdout, /dev environment ready/);
    const instances = path.join(dir, 'state', 'local', 'instances');
    assert.equal(fs.readdirSync(instances).length, 1);
    const stop = cli(['stop', name, '-y'], env);
    assert.equal(stop.stdout, 'Stopped\n');
    assert.deepEqual(fs.readdirSync(instances), []);
    assert.match(cli(['ps'], env).stdout, new RegExp(`^ ${name} .* stopped `, 'm'));
  });

  it('secrets reach the instance env at creation, and only there', async () => {
    const dir = tempDir();
    const env = { DSTACK_VSC_STATE_DIR: path.join(dir, 'state') };
    const config = path.join(dir, 'secret.dstack.yml');
    fs.writeFileSync(config, 'type: dev-environment\nname: sec-dev\nenv:\n  - TOKEN=${{ secrets.api_token }}\ninit:\n  - test \"$TOKEN\" = \"$(printf tok-%s 123)\" && echo secret-resolved\nresources:\n  cpu: 1..\n  memory: 1GB..\n  disk: 1GB..\n');
    assert.equal(cli(['secret', 'set', 'api_token', 'tok-123'], env).code, 0);
    const apply = cli(['apply', '-f', config, '-y', '-d'], env);
    assert.equal(apply.code, 0, apply.stderr + apply.stdout);
    assert.equal((await waitForRun(env.DSTACK_VSC_STATE_DIR, 'sec-dev')).status, 'running');
    assert.match(cli(['logs', 'sec-dev'], env).stdout, /secret-resolved/);
    assert.doesNotMatch(fs.readFileSync(path.join(dir, 'state', 'state.json'), 'utf8'), /tok-123/);
    assert.equal(cli(['stop', 'sec-dev', '-y'], env).code, 0);
  });
});
