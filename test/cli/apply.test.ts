import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FakeBackend } from '../../src/backends/fake/fake-backend';
import { Store } from '../../src/orchestrator/store/store';
import { fakeOffer, tempDir } from '../orchestrator/helpers';
import { runCli } from '../../src/cli/run-cli';
import { driverLogFile } from '../../src/cli/detached-driver';
import { cli } from './cli-process';
import { CliProcess } from './cli-spawn';
import { waitForRun } from './wait-run';
import type { Backend } from '../../src/backends/backend';
import type { BackendId } from '../../src/backends/offer';
import { systemClock } from '../../src/orchestrator/clock';
import { Leader } from '../../src/orchestrator/scheduler/leader';
import { Scheduler } from '../../src/orchestrator/scheduler/scheduler';

const GPU_CONFIG = (extra: string) => `type: dev-environment
name: gpu-dev
ide: vscode
resources:
  gpu: 24GB
${extra}`;

async function setup(extra = '', script: Parameters<FakeBackend['script']>[0] = {}): Promise<{ dir: string; env: Record<string, string>; file: string; fake: FakeBackend }> {
  const dir = tempDir('dstack-vsc-cli-');
  const fakeFile = path.join(dir, 'fake.json');
  const fake = new FakeBackend(fakeFile);
  await fake.script({ offers: [fakeOffer('g5.xlarge', 1.006), fakeOffer('g6.xlarge', 0.805)], ...script });
  const file = path.join(dir, 'gpu.dstack.yml');
  fs.writeFileSync(file, GPU_CONFIG(extra));
  return { dir, file, fake, env: { DSTACK_VSC_STATE_DIR: path.join(dir, 'state'), DSTACK_VSC_FAKE_BACKEND: fakeFile } };
}

describe('cli apply', function () {
  this.timeout(60_000);

  it('prints the plan and offers, provisions the cheapest offer and reports it running', async () => {
    const w = await setup('inactivity_duration: 2h\n');
    const r = cli(['apply', '-f', w.file, '-y', '-d'], w.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ Project +main/m);
    assert.match(r.stdout, /^ Inactivity duration +2h/m);
    assert.match(r.stdout, /^ 1 +fake \(fake-1\) +cpu=4 mem=16GB disk=100GB gpu=A10G:24GB:1 +g6\.xlarge +\$0\.805/m);
    assert.match(r.stdout, /^ 2 +fake \(fake-1\) .* g5\.xlarge +\$1\.006/m);
    assert.match(r.stdout, /\nRun gpu-dev submitted, detaching\.\.\.\n$/);
    assert.equal((await waitForRun(w.env['DSTACK_VSC_STATE_DIR'] as string, 'gpu-dev')).status, 'running');
    assert.equal(w.fake.liveInstances().length, 1);
    const ps = cli(['ps', '--json'], w.env);
    const rows = JSON.parse(ps.stdout) as Record<string, unknown>[];
    assert.deepEqual(Object.fromEntries(Object.entries(rows[0] ?? {}).filter(([k]) => ['name', 'status', 'backend', 'region', 'instance_type', 'price', 'resources'].includes(k))), {
      name: 'gpu-dev', status: 'running', backend: 'fake', region: 'fake-1', instance_type: 'g6.xlarge', price: 0.805, resources: 'cpu=4 mem=16GB disk=100GB gpu=A10G:24GB:1',
    });
    assert.equal(typeof rows[0]?.['inactive_seconds'], 'number');
    const table = cli(['ps'], w.env);
    assert.match(table.stdout, /^ NAME +BACKEND +GPU +PRICE +STATUS +SUBMITTED/m);
    assert.match(table.stdout, /^ gpu-dev +fake \(fake-1\) +gpu=A10G:24GB:1 +\$0\.805 +running/m);
    const stop = cli(['stop', 'gpu-dev', '-y'], w.env);
    assert.equal(stop.stdout, 'Stopped\n');
    assert.match(cli(['ps'], w.env).stdout, /gpu-dev .* stopped /);
  });

  it('stores a relative -f path absolute: a process with another cwd (a VS Code window leading the scheduler) finds the code and files', async () => {
    const w = await setup();
    let out = '';
    const code = await runCli(['apply', '-f', 'gpu.dstack.yml', '-y', '-d'], { stdout: (t) => { out += t; }, stderr: (t) => { out += t; }, env: w.env, cwd: w.dir, confirm: () => Promise.resolve(false) });
    assert.equal(code, 0, out);
    const run = (await new Store(w.env['DSTACK_VSC_STATE_DIR'] as string).read()).runs[0];
    assert.equal(run?.spec.configurationPath, w.file);
    // The detached driver is such a process (started from the same cwd, it still reads the stored path).
    assert.equal((await waitForRun(w.env['DSTACK_VSC_STATE_DIR'] as string, 'gpu-dev')).status, 'running');
  });

  it('-d detaches right after the submit (dstack), before anything is provisioned; a detached driver takes the run to running', async () => {
    const w = await setup('', { createLatencyMs: 1500, readyAfterMs: 1000 });
    const r = cli(['apply', '-f', w.file, '-y', '-d'], w.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nRun gpu-dev submitted, detaching\.\.\.\n$/);
    assert.doesNotMatch(r.stdout, /Launching|Offer 1|provisioning completed/);
    const stateDir = w.env['DSTACK_VSC_STATE_DIR'] as string;
    assert.equal((await new Store(stateDir).read()).runs[0]?.status, 'submitted', 'apply did not wait for the create');
    assert.equal(w.fake.allInstances().length, 0);
    const run = await waitForRun(stateDir, 'gpu-dev');
    assert.equal(run.status, 'running');
    assert.deepEqual(run.attempts.map((a) => [a.instanceType, a.outcome]), [['g6.xlarge', 'created']]);
    assert.equal(w.fake.liveInstances().length, 1);
  });

  it('-d: the detached driver keeps trying while the provider\'s API is down (its orphan sweep fails), then takes the run to running', async () => {
    const w = await setup('', { listTaggedError: 'fake: connect ECONNREFUSED 127.0.0.1:9' });
    const r = cli(['apply', '-f', w.file, '-y', '-d'], w.env);
    assert.equal(r.code, 0, r.stderr);
    const stateDir = w.env['DSTACK_VSC_STATE_DIR'] as string;
    const submitted = (await new Store(stateDir).read()).runs[0];
    assert.ok(submitted);
    const log = driverLogFile(stateDir, submitted.id);
    const failed = /a scheduler pass failed \(fake: connect ECONNREFUSED 127\.0\.0\.1:9\); retrying in \d+ s/;
    for (const until = Date.now() + 30_000; !failed.test(fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');) {
      assert.ok(Date.now() < until, `the driver logs the failed pass: ${fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '(no log)'}`);
      await new Promise((res) => setTimeout(res, 200));
    }
    assert.equal((await new Store(stateDir).read()).runs[0]?.status, 'submitted', 'nothing provisioned while the sweep fails');
    assert.equal(w.fake.allInstances().length, 0);
    await w.fake.script({ listTaggedError: undefined });
    const run = await waitForRun(stateDir, 'gpu-dev', 60_000);
    assert.equal(run.status, 'running', 'the driver did not give up: the run got its instance once the API answered');
    assert.equal(w.fake.liveInstances().length, 1);
    assert.equal(cli(['stop', 'gpu-dev', '-y'], w.env).code, 0);
  });

  it('fails over when the first offer has no capacity and ends cleanly when none has', async () => {
    const w = await setup('', { capacity: { 'fake/fake-1/g6.xlarge': 0, 'fake/fake-1/g5.xlarge': 0 } });
    const r = cli(['apply', '-f', w.file, '-y'], w.env);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Offer 1: fake \(fake-1\) g6\.xlarge \$0\.805: no capacity/);
    assert.match(r.stdout, /Offer 2: fake \(fake-1\) g5\.xlarge \$1\.006: no capacity/);
    assert.match(r.stdout, /\nNo capacity\n$/);
    assert.match(cli(['ps', '-v'], w.env).stdout, /no capacity/);
  });

  it('following a run another process leads (a VS Code window), apply prints the same attempt and status lines', async () => {
    const w = await setup('', { capacity: { 'fake/fake-1/g6.xlarge': 0, 'fake/fake-1/g5.xlarge': 0 } });
    const store = new Store(w.env['DSTACK_VSC_STATE_DIR'] as string);
    const owner = 'window';
    const window = new Leader(store, new Scheduler({ store, backends: new Map<BackendId, Backend>([['fake', w.fake]]), clock: systemClock, owner }), owner, { busyTickMs: 100, steadyTickMs: 200, renewEveryMs: 500 });
    await window.step(true);
    window.start();
    try {
      const apply = new CliProcess(['apply', '-f', w.file, '-y'], w.env);
      const code = await apply.exited;
      assert.equal(code, 1, apply.stdout + apply.stderr);
      assert.match(apply.stdout, /Offer 1: fake \(fake-1\) g6\.xlarge \$0\.805: no capacity/);
      assert.match(apply.stdout, /Offer 2: fake \(fake-1\) g5\.xlarge \$1\.006: no capacity/);
      assert.match(apply.stdout, /\ngpu-dev: failed\n[\s\S]*\nNo capacity\n$/);
      assert.equal(store.readLease()?.owner, owner, 'the window led throughout; apply only followed');
    } finally {
      await window.stop();
    }
  });

  it('a value-less env entry without -e or a process value stops before anything is provisioned', async () => {
    const w = await setup('env:\n  - HF_TOKEN\n');
    const r = cli(['apply', '-f', w.file, '-y', '-d', '-n', 'empty-token'], { ...w.env, HF_TOKEN: '' });
    // An empty value is a value: unset it instead.
    const env = { ...w.env };
    const r2 = (() => {
      const saved = process.env['HF_TOKEN'];
      delete process.env['HF_TOKEN'];
      try {
        return cli(['apply', '-f', w.file, '-y'], env);
      } finally {
        if (saved !== undefined) process.env['HF_TOKEN'] = saved;
      }
    })();
    assert.equal(r.code, 0, 'an empty process value counts as set');
    assert.equal((await waitForRun(w.env['DSTACK_VSC_STATE_DIR'] as string, 'empty-token')).status, 'running');
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, new RegExp(`${w.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: env: 'HF_TOKEN' has no value; pass -e HF_TOKEN=VALUE`));
    const ok = cli(['apply', '-f', w.file, '-y', '-d', '-e', 'HF_TOKEN=abc'], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((await waitForRun(w.env['DSTACK_VSC_STATE_DIR'] as string, 'gpu-dev')).status, 'running');
  });

  it('without a terminal and without -y it refuses and submits nothing', async () => {
    const w = await setup();
    const r = cli(['apply', '-f', w.file], w.env);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /Submit the run gpu-dev\? \[y\/n\]: no terminal to ask on; pass -y/);
    assert.match(r.stdout, /Exiting\.\.\./);
    assert.equal((await new Store(w.env['DSTACK_VSC_STATE_DIR'] as string).read()).runs.length, 0);
    assert.equal(w.fake.allInstances().length, 0);
  });

  it('re-applying updates inactivity_duration in place and asks to re-create for anything else', async () => {
    const w = await setup('inactivity_duration: 2h\n');
    assert.equal(cli(['apply', '-f', w.file, '-y', '-d'], w.env).code, 0);
    assert.equal((await waitForRun(w.env['DSTACK_VSC_STATE_DIR'] as string, 'gpu-dev')).status, 'running');
    fs.writeFileSync(w.file, GPU_CONFIG('inactivity_duration: 30m\n'));
    const upd = cli(['apply', '-f', w.file, '-y', '-d'], w.env);
    assert.match(upd.stdout, /Active run gpu-dev already exists\. Detected changes that can be updated in-place:\n {2}- inactivity_duration\n/);
    assert.match(upd.stdout, /Run gpu-dev updated/);
    const state = await new Store(w.env['DSTACK_VSC_STATE_DIR'] as string).read();
    assert.equal(state.runs.length, 1);
    assert.equal(state.runs[0]?.spec.inactivityDuration, 1800);
    const same = cli(['apply', '-f', w.file, '-y', '-d'], w.env);
    assert.match(same.stdout, /Detected no changes\.\nUse --force to apply anyway\./);
    fs.writeFileSync(w.file, GPU_CONFIG('inactivity_duration: 30m\ninit:\n  - echo hi\n'));
    const recreate = cli(['apply', '-f', w.file, '-y', '-d'], w.env);
    assert.match(recreate.stdout, /Detected changes that cannot be updated in-place:\n {2}- init\n/);
    assert.match(recreate.stdout, /Run gpu-dev submitted, detaching/);
    await waitForRun(w.env['DSTACK_VSC_STATE_DIR'] as string, 'gpu-dev');
    const after = await new Store(w.env['DSTACK_VSC_STATE_DIR'] as string).read();
    assert.deepEqual(after.runs.map((r) => r.status), ['terminated', 'running']);
    assert.equal(w.fake.liveInstances().length, 1);
  });

  it('resolves ${{ secrets.X }} at apply and never prints the value', async () => {
    const w = await setup('env:\n  - TOKEN=${{ secrets.hf_token }}\n');
    const missing = cli(['apply', '-f', w.file, '-y', '-d'], w.env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /env\.TOKEN: \$\{\{ secrets\.hf_token \}\} is not set; add it with: dstack-vsc secret set hf_token VALUE/);
    assert.equal(cli(['secret', 'set', 'hf_token', 's3cr3t-value'], w.env).code, 0);
    const r = cli(['apply', '-f', w.file, '-y', '-d'], w.env);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cr3t-value/);
    // Once the instance was created with the value (by the detached driver, whose output is its log), neither the
    // state nor that output holds it.
    const run = await waitForRun(w.env['DSTACK_VSC_STATE_DIR'] as string, 'gpu-dev');
    assert.equal(run.status, 'running');
    assert.doesNotMatch(fs.readFileSync(driverLogFile(w.env['DSTACK_VSC_STATE_DIR'] as string, run.id), 'utf8'), /s3cr3t-value/);
    const store = new Store(w.env['DSTACK_VSC_STATE_DIR'] as string);
    assert.equal((await store.read()).runs[0]?.spec.env['TOKEN'], '${{ secrets.hf_token }}');
    assert.doesNotMatch(fs.readFileSync(store.stateFile, 'utf8'), /s3cr3t-value/, 'the state file never holds a secret');
    const ps = cli(['ps', '-a', '-v', '--json'], w.env);
    assert.doesNotMatch(ps.stdout, /s3cr3t-value/);
  });
});
