// `logs NAME -f` for real on the local backend: lines the environment prints after the command started
// arrive while it runs; it ends with the run (status on stderr, exit 1 for a stop) or on Ctrl+C (exit 0).

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../orchestrator/helpers';
import { cli } from './cli-process';
import { CliProcess } from './cli-spawn';
import { waitForRun } from './wait-run';

function config(dir: string, name: string): string {
  const file = path.join(dir, `${name}.dstack.yml`);
  const ticker = '(i=0; while [ $i -lt 120 ]; do i=$((i+1)); echo tick-$i; sleep 0.5; done) &';
  fs.writeFileSync(file, `type: dev-environment\nname: ${name}\nide: vscode\nresources:\n  cpu: 1..\n  memory: 1GB..\n  disk: 1GB..\ninit:\n  - echo init-start\n  - ${JSON.stringify(ticker)}\n`);
  return file;
}

describe('cli logs -f (local backend)', function () {
  this.timeout(90_000);
  let env: Record<string, string>;
  let dir: string;
  const procs: CliProcess[] = [];
  const names: string[] = [];

  before(() => {
    dir = tempDir('dstack-vsc-logs-');
    env = { HOME: dir, DSTACK_VSC_STATE_DIR: path.join(dir, 'state'), DSTACK_VSC_USER_SSH_CONFIG: path.join(dir, 'ssh_config') };
  });
  afterEach(() => { for (const p of procs.splice(0)) p.kill(); });
  after(() => { for (const n of names) cli(['stop', n, '-x', '-y'], env); });

  it('follows new lines live until the run ends, then prints its status and exits with it', async () => {
    const name = `logs-${process.pid}`;
    names.push(name);
    assert.equal(cli(['apply', '-f', config(dir, name), '-y', '-d', '--no-repo'], env).code, 0);
    assert.equal((await waitForRun(env['DSTACK_VSC_STATE_DIR'] as string, name)).status, 'running');
    const logs = new CliProcess(['logs', name, '-f'], env);
    procs.push(logs);
    await logs.waitFor(/init-start\n/);
    const seen = Number(/tick-(\d+)\n(?![\s\S]*tick-)/.exec(logs.stdout)?.[1] ?? 0);
    await logs.waitFor(new RegExp(`tick-${seen + 3}\\n`), 20_000); // written after we were already following
    assert.equal(cli(['stop', name, '-y'], env).code, 0);
    assert.equal(await logs.exited, 1);
    assert.equal(logs.stderr, 'Stopped\n');
  });

  it('Ctrl+C stops following with exit 0 and leaves the run running', async () => {
    const name = `logs-int-${process.pid}`;
    names.push(name);
    assert.equal(cli(['apply', '-f', config(dir, name), '-y', '-d', '--no-repo'], env).code, 0);
    assert.equal((await waitForRun(env['DSTACK_VSC_STATE_DIR'] as string, name)).status, 'running');
    const logs = new CliProcess(['logs', name, '-f'], env);
    procs.push(logs);
    await logs.waitFor(/tick-\d+\n/);
    logs.interrupt();
    assert.equal(await logs.exited, 0, logs.stderr);
    assert.equal(logs.stderr, '');
    assert.match(cli(['ps'], env).stdout, new RegExp(`^ ${name} .* running `, 'm'));
    const once = cli(['logs', name], env);
    assert.equal(once.code, 0);
    assert.match(once.stdout, /^init-start\n/);
  });
});
