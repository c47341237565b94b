// The run experience in a real extension host, over the fake backend and the real store: the progress
// notification's lines (stages, failover attempts), SSH Doctor (real `ssh -G`), a window opened on one of our
// hosts (waiting, stopped), the VS Code server pre-install line (run by sh against a 127.0.0.1 server), the
// fleet setting, and several processes on one state dir (state seen live, the leader lease handed over).
import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FakeBackend } from '../../src/backends/fake/fake-backend';
import type { Offer } from '../../src/backends/offer';
import { allFleets, closeBackends } from '../../src/orchestrator/backends-registry';
import { openRuntime } from '../../src/orchestrator/runtime';
import type { OrchestratorState } from '../../src/orchestrator/store/state';
import type { DoctorOutcome, RunCommandOutcome } from '../../src/vscode/commands/run-commands';
import { reactToRemoteWindow } from '../../src/vscode/remote-window';
import { STAGE_TEXT } from '../../src/vscode/run-progress';
import { backendsOptions, runtimeEnv, SSH_FLEETS_SETTING } from '../../src/vscode/settings';
import { vsCodeBuild, vsCodeServerInitLines } from '../../src/vscode/vscode-server';
import { activatedApi, fixture } from './helpers';

const RUN = 'exp-vsc';
const CONFIG = `type: dev-environment\nname: ${RUN}\nide: vscode\ninactivity_duration: 1h\nidle_duration: 0\nresources:\n  gpu: 24GB\n`;

function offer(instanceType: string, price: number): Offer {
  return {
    backend: 'fake', region: 'fake-1', instanceType, pricePerHour: price, availability: 'available',
    resources: { cpuArch: 'x86', cpus: 4, memoryGB: 16, diskGB: 100, gpus: [{ name: 'A10G', vendor: 'nvidia', memoryGB: 24 }], spot: false },
  };
}

function fakeBackend(): FakeBackend {
  const fakeFile = process.env['DSTACK_VSC_FAKE_BACKEND'];
  assert.ok(fakeFile, 'DSTACK_VSC_FAKE_BACKEND is set for the extension host');
  return new FakeBackend(fakeFile);
}

function finished(s: OrchestratorState): boolean {
  return s.runs.filter((r) => r.name === RUN).every((r) => r.status === 'terminated' || r.status === 'failed' || r.status === 'done');
}

async function stopAndWait(): Promise<void> {
  const api = await activatedApi();
  if (!finished(await api.experience.host.refresh())) await vscode.commands.executeCommand('dstack.stop', RUN);
  await api.experience.host.waitFor(finished);
}

suite('run experience', () => {
  let file: vscode.Uri;

  suiteSetup(async () => {
    await activatedApi();
    await fakeBackend().script({ offers: [offer('g5.xlarge', 1.006), offer('g6.xlarge', 0.805)], failures: {}, readyAfterMs: 0 });
    file = vscode.Uri.joinPath(fixture('dev.dstack.yml'), '..', 'exp.dstack.yml');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(CONFIG));
  });

  suiteTeardown(async () => {
    await stopAndWait();
    await vscode.workspace.fs.delete(file);
  });

  test('progress: every failover attempt and the stages in order, ending at ready; the server pre-install runs before init', async () => {
    const api = await activatedApi();
    const fake = fakeBackend();
    await fake.script({ failures: { 'fake/fake-1/g6.xlarge': { code: 'no_capacity', message: 'no g6 left' } } });
    const lines: string[] = [];
    try {
      const outcome = await api.apply(file, { offerIndex: 0, onProgress: (l) => lines.push(l) });
      assert.equal(outcome.status, 'running', JSON.stringify(outcome));
    } finally {
      await fake.script({ failures: {} });
    }
    assert.ok(lines.includes('offer 1/2: fake (fake-1) g6.xlarge: no capacity; trying the next offer'), lines.join(' | '));
    assert.ok(lines.includes('offer 2/2: fake (fake-1) g5.xlarge: created'), lines.join(' | '));
    const order = Object.values(STAGE_TEXT);
    const stages = lines.filter((l) => order.includes(l));
    assert.equal(stages[0], 'provisioning', lines.join(' | '));
    assert.equal(stages.at(-1), 'ready', lines.join(' | '));
    assert.deepEqual(stages, [...stages].sort((a, b) => order.indexOf(a) - order.indexOf(b)), 'stages never go back');
    const run = (await api.experience.host.refresh()).runs.find((r) => r.name === RUN && r.status === 'running');
    assert.ok(run);
    const build = vsCodeBuild(vscode.env.appRoot);
    console.log(`      VS Code build from ${vscode.env.appRoot}/product.json: ${JSON.stringify(build)}`);
    assert.deepEqual(run.spec.init, build ? vsCodeServerInitLines(build) : [], 'the pre-install line, then the file\'s (empty) init');
  });

  test('SSH Doctor: real `ssh -G` resolves the run to our entry; a Host * block above it is named with the fix', async () => {
    const api = await activatedApi();
    const ssh = api.experience.host.runtime.ssh;
    for (let i = 0; !(await ssh.access.published()).includes(RUN); i++) {
      assert.ok(i < 100, 'the leader publishes the running run\'s ssh entry');
      await new Promise((r) => setTimeout(r, 100));
    }
    const ok = await vscode.commands.executeCommand<DoctorOutcome>('dstack.sshDoctor', RUN);
    assert.equal(ok.status, 'checked', JSON.stringify(ok));
    assert.ok(ok.status === 'checked');
    assert.equal(ok.report.status, 'ok', ok.report.message);
    const original = fs.readFileSync(ssh.userConfig, 'utf8');
    fs.writeFileSync(ssh.userConfig, `Host *\n  User nobody\n${original}`);
    try {
      const bad = await vscode.commands.executeCommand<DoctorOutcome>('dstack.sshDoctor', RUN);
      assert.ok(bad.status === 'checked');
      assert.equal(bad.report.status, 'overridden', bad.report.message);
      assert.deepEqual(bad.report.culprits, [{ line: 1, text: 'Host *' }]);
      assert.match(bad.report.message, /user is nobody instead of root/);
    } finally {
      fs.writeFileSync(ssh.userConfig, original);
    }
    const missing = await vscode.commands.executeCommand<RunCommandOutcome>('dstack.sshDoctor', 'no-such-run');
    assert.equal(missing.status, 'not-possible');
  });

  test('a window opened on ssh-remote+<run>: ready when running; stopped says so and "Start" re-applies its file', async () => {
    const api = await activatedApi();
    assert.deepEqual(await reactToRemoteWindow(api.experience, RUN), { status: 'ready', run: RUN });
    assert.deepEqual(await reactToRemoteWindow(api.experience, 'someone-elses-host'), { status: 'not-ours', run: 'someone-elses-host' });
    await stopAndWait();
    const declined = await reactToRemoteWindow(api.experience, RUN, { start: false });
    assert.equal(declined.status, 'stopped');
    assert.ok(declined.status === 'stopped');
    assert.match(declined.message, new RegExp(`${RUN} is stopped \\(.*\\), so this window cannot connect\\. Start it again from .*exp\\.dstack\\.yml\\?`));
    assert.equal(declined.start, null);
    const started = await reactToRemoteWindow(api.experience, RUN, { start: true });
    assert.ok(started.status === 'stopped');
    assert.equal(started.start?.status, 'planned', JSON.stringify(started.start));
  });

  test('a window opened on a starting run shows its stages until it is ready', async () => {
    const api = await activatedApi();
    const fake = fakeBackend();
    await fake.script({ readyAfterMs: 3000 });
    try {
      const applying = api.apply(file, { offerIndex: 0 });
      await api.experience.host.waitFor((s) => s.runs.some((r) => r.name === RUN && ['submitted', 'pending', 'provisioning'].includes(r.status)));
      const waited = await reactToRemoteWindow(api.experience, RUN);
      assert.equal(waited.status, 'waited');
      assert.ok(waited.status === 'waited');
      assert.equal(waited.final, 'running');
      assert.equal(waited.lines.at(-1), 'ready', waited.lines.join(' | '));
      assert.equal((await applying).status, 'running');
    } finally {
      await fake.script({ readyAfterMs: 0 });
      await stopAndWait();
    }
  });

  test('the VS Code server pre-install: downloads this commit\'s server once, links it, and is silent and harmless offline', async () => {
    const build = { commit: 'f1a4fb101478ce6ec82fe9627c43efbf9e98c813', quality: 'stable' };
    const [line] = vsCodeServerInitLines(build, 'http://127.0.0.1:9');
    assert.ok(line);
    assert.match(line, /\/commit:\$c\/server-linux-\$a\/stable/);
    assert.match(line, /\|\| true$/);
    assert.deepEqual(vsCodeServerInitLines({ commit: 'not-a-commit', quality: 'stable' }), []);
    assert.match(vsCodeServerInitLines({ ...build, quality: 'insider' })[0] ?? '', /cli\/servers\/Insiders-\$c\/server.*\/insider"/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dstack-vscode-server-'));
    const home = path.join(dir, 'home');
    fs.mkdirSync(path.join(dir, 'pkg', 'vscode-server-linux-x64', 'bin'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'pkg', 'vscode-server-linux-x64', 'bin', 'code-server'), '#!/bin/sh\n', { mode: 0o755 });
    execFileSync('tar', ['-czf', path.join(dir, 'server.tgz'), '-C', path.join(dir, 'pkg'), 'vscode-server-linux-x64']);
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end(fs.readFileSync(path.join(dir, 'server.tgz')));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      // Async: the server answering curl runs on this event loop.
      const sh = (script: string): Promise<string> => new Promise((resolve, reject) => {
        execFile('sh', ['-ec', script], { env: { ...process.env, HOME: home }, encoding: 'utf8' }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
      });
      assert.equal(await sh(line), '', 'offline: no output, exit 0');
      assert.equal(fs.existsSync(path.join(home, '.vscode-server')), false, 'offline: nothing left behind');
      const online = vsCodeServerInitLines(build, `http://127.0.0.1:${(server.address() as AddressInfo).port}`)[0] ?? '';
      assert.equal((await sh(online)).trim(), `VS Code server ${build.commit} pre-installed`);
      const installed = path.join(home, '.vscode-server', 'cli', 'servers', `Stable-${build.commit}`, 'server');
      assert.ok(fs.statSync(path.join(installed, 'bin', 'code-server')).isFile());
      assert.equal(fs.readlinkSync(path.join(home, '.vscode-server', 'bin', build.commit)), installed);
      assert.equal(await sh(online), '', 'already installed: nothing downloaded again');
      assert.equal(requests.length, 1);
      assert.match(requests[0] ?? '', new RegExp(`^/commit:${build.commit}/server-linux-(x64|arm64|armhf)/stable$`));
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('settings: dstack.sshFleets reaches the core (read on use); a malformed value is ignored and named; remote.SSH.configFile is the user ssh config', async () => {
    const config = vscode.workspace.getConfiguration();
    const logged: string[] = [];
    const options = backendsOptions((m) => logged.push(m));
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dstack-fleets-'));
    try {
      await config.update(SSH_FLEETS_SETTING, { name: 'lab', ssh_config: { user: 'ubuntu', hosts: ['10.200.0.9'] } }, vscode.ConfigurationTarget.Global);
      assert.deepEqual(allFleets(stateDir, {}, options).map((f) => [f.name, f.source, f.sshConfig.hosts.map((h) => h.hostname)]), [['lab', SSH_FLEETS_SETTING, ['10.200.0.9']]]);
      await config.update(SSH_FLEETS_SETTING, { hosts: [] }, vscode.ConfigurationTarget.Global);
      assert.deepEqual(allFleets(stateDir, {}, options), []);
      assert.equal(logged.length, 1);
      assert.match(logged[0] ?? '', /dstack\.sshFleets setting is ignored: dstack\.sshFleets: value: expected \{"hosts"/);
    } finally {
      await config.update(SSH_FLEETS_SETTING, undefined, vscode.ConfigurationTarget.Global);
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
    assert.equal(runtimeEnv({ HOME: '/h' }, '~/.ssh/work_config')['DSTACK_VSC_USER_SSH_CONFIG'], '~/.ssh/work_config');
    assert.equal(runtimeEnv({ HOME: '/h' }, '')['DSTACK_VSC_USER_SSH_CONFIG'], undefined);
    assert.equal(runtimeEnv({ DSTACK_VSC_USER_SSH_CONFIG: '/explicit' }, '/other')['DSTACK_VSC_USER_SSH_CONFIG'], '/explicit');
  });

  test('several processes on one state dir: another sees the run live, and the leader lease hands over when the leader stops', async () => {
    const api = await activatedApi();
    const host = api.experience.host;
    for (let i = 0; !host.runtime.leader.isLeader; i++) {
      assert.ok(i < 100, 'the extension host leads (no other process on this state dir)');
      await new Promise((r) => setTimeout(r, 100));
    }
    const other = openRuntime(process.env);       // a second window or a CLI on the same state dir
    try {
      await other.leader.step(true);
      assert.equal(other.leader.isLeader, false, 'the lease is held by the extension host');
      await host.runtime.leader.stop();             // this window closes: it gives the lease up
      await other.leader.step(true);
      assert.equal(other.leader.isLeader, true, 'the other process took over at once');
      other.leader.start();
      const outcome = await api.apply(file, { offerIndex: 0 });
      assert.equal(outcome.status, 'running', 'the run was provisioned by the other process\'s scheduler and followed here from the store');
      const seen = await other.store.read();
      assert.ok(seen.runs.some((r) => r.name === RUN && r.status === 'running'));
      await vscode.commands.executeCommand('dstack.stop', RUN);
      await host.waitFor(finished);
    } finally {
      await other.leader.stop();
      await closeBackends(other.backends);
      host.runtime.leader.start();
    }
    for (let i = 0; !host.runtime.leader.isLeader; i++) {
      assert.ok(i < 100, 'the extension host leads again');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});
