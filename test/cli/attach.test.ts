// `attach` and `apply`'s attached phase for real, on the local backend: the CLI (a real process without a
// terminal) forwards the configuration's `ports` to 127.0.0.1 over ssh2 to the agent's sshd, an HTTP
// server started by init answers through the forwarded port, a taken local port gives dstack's error,
// Ctrl+C detaches (`Detached`, exit 0, the run keeps running, the listener is gone), and the run ending
// ends the attach with its status.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { tempDir } from '../orchestrator/helpers';
import { cli } from './cli-process';
import { waitForRun } from './wait-run';
import { CliProcess, freePort, httpGet } from './cli-spawn';

/** A dev environment whose init starts an HTTP server on `container` (127.0.0.1) that answers `body`. */
function writeConfig(dir: string, name: string, ports: string[], container: number, body: string, extraInit: string[] = []): string {
  const server = `require("http").createServer((q, s) => s.end(${JSON.stringify(body)})).listen(${container}, "127.0.0.1")`;
  const init = [`nohup ${JSON.stringify(process.execPath)} -e '${server}' >/dev/null 2>&1 &`, ...extraInit];
  const file = path.join(dir, `${name}.dstack.yml`);
  fs.writeFileSync(file, `type: dev-environment\nname: ${name}\nide: vscode\nresources:\n  cpu: 1..\n  memory: 1GB..\n  disk: 1GB..\nports:\n${ports.map((p) => `  - "${p}"\n`).join('')}init:\n${init.map((l) => `  - ${JSON.stringify(l)}\n`).join('')}`);
  return file;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('cli attach (local backend, real ports over ssh2)', function () {
  this.timeout(120_000);
  const procs: CliProcess[] = [];
  let env: Record<string, string>;
  let dir: string;
  const names: string[] = [];

  before(() => {
    dir = tempDir('dstack-vsc-attach-');
    const home = path.join(dir, 'home');
    fs.mkdirSync(home);
    env = { HOME: home, DSTACK_VSC_STATE_DIR: path.join(dir, 'state'), DSTACK_VSC_USER_SSH_CONFIG: path.join(home, '.ssh', 'config') };
  });

  afterEach(() => {
    for (const p of procs.splice(0)) p.kill();
  });

  after(() => {
    for (const n of names) cli(['stop', n, '-x', '-y'], env);
  });

  it('forwards local_port:container_port while attached, refuses a taken local port, and Ctrl+C detaches leaving the run running', async () => {
    const [local, container] = [await freePort(), await freePort()];
    const name = `att-${process.pid}`;
    names.push(name);
    const file = writeConfig(dir, name, [`${local}:${container}`], container, 'hello from the environment');
    const apply = cli(['apply', '-f', file, '-y', '-d', '--no-repo'], env);
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.equal((await waitForRun(env['DSTACK_VSC_STATE_DIR'] as string, name)).status, 'running');

    const attach = new CliProcess(['attach', name], env);
    procs.push(attach);
    await attach.waitFor(/Press Ctrl\+C to detach\.\.\.\n/);
    const stateDir = env['DSTACK_VSC_STATE_DIR'] as string;
    const workdir = fs.readdirSync(path.join(stateDir, 'local', 'instances')).map((id) => path.join(stateDir, 'local', 'instances', id, 'home', 'workflow'))[0];
    assert.equal(attach.stdout, `Attached to run ${name} (replica=0 job=0)\nForwarded ports (local -> remote):\n  - localhost:${local} -> ${container}\n`
      + `To open in VS Code, use link below:\n\n  vscode://vscode-remote/ssh-remote+${name}${workdir}\n\n`
      + `To connect to the run via SSH, use \`ssh ${name}\`.\nPress Ctrl+C to detach...\n`);
    assert.match(fs.readFileSync(path.join(stateDir, 'ssh', 'config'), 'utf8'), new RegExp(`^Host ${name}$`, 'm'));
    assert.equal(await httpGet(local), 'hello from the environment');

    // The same explicit local port again: dstack's PortsLock error, nothing attached.
    const second = cli(['attach', name], env);
    assert.equal(second.code, 1, second.stdout + second.stderr);
    assert.equal(second.stderr, `Port ${local} is already in use\n`);
    assert.equal(second.stdout, '');

    attach.interrupt();
    assert.equal(await attach.exited, 0, attach.stderr);
    assert.match(attach.stdout, /\nDetached\n$/);
    assert.equal(await canListen(local), true, 'the listener is closed after detaching');
    assert.match(cli(['ps'], env).stdout, new RegExp(`^ ${name} .* running `, 'm'));
  });

  it('ends with the run: stopping it from another process ends the attach with its status', async () => {
    const [local, container] = [await freePort(), await freePort()];
    const name = `att-end-${process.pid}`;
    names.push(name);
    const file = writeConfig(dir, name, [`${local}:${container}`], container, 'ok');
    assert.equal(cli(['apply', '-f', file, '-y', '-d', '--no-repo'], env).code, 0);
    assert.equal((await waitForRun(env['DSTACK_VSC_STATE_DIR'] as string, name)).status, 'running');
    const attach = new CliProcess(['attach', name], env);
    procs.push(attach);
    await attach.waitFor(/Press Ctrl\+C to detach/);
    assert.equal(await httpGet(local), 'ok');
    const stop = cli(['stop', name, '-y'], env);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(await attach.exited, 1, attach.stderr);
    assert.match(attach.stdout, /\nStopped\n$/);
    assert.equal(await canListen(local), true);
  });

  it('waits while the run is starting, then attaches', async () => {
    const [local, container] = [await freePort(), await freePort()];
    const name = `att-wait-${process.pid}`;
    names.push(name);
    const file = writeConfig(dir, name, [`${local}:${container}`], container, 'after the wait', ['sleep 4']);
    const apply = new CliProcess(['apply', '-f', file, '-y', '-d', '--no-repo'], env);
    procs.push(apply);
    await apply.waitFor(/submitted, detaching/);
    const attach = new CliProcess(['attach', name], env);
    procs.push(attach);
    await attach.waitFor(/Press Ctrl\+C to detach/);
    // Not yet running: submitted (the backend cell fills in once the offer's instance is recorded), provisioning or pulling.
    assert.match(attach.stdout, new RegExp(`^ NAME +BACKEND +GPU +PRICE +STATUS +SUBMITTED *\n ${name} +(local \\(local\\) +- +\\$0|- +-) +(submitted|provisioning|pulling) `));
    assert.match(attach.stdout, new RegExp(`\nAttached to run ${name} \\(replica=0 job=0\\)\n`));
    assert.equal(await httpGet(local), 'after the wait');
    attach.interrupt();
    assert.equal(await attach.exited, 0, attach.stderr);
    assert.equal(await apply.exited, 0, apply.stderr);
  });

  it('apply stays attached with the ports forwarded; Ctrl+C without a terminal detaches without stopping', async () => {
    const [local, container] = [await freePort(), await freePort()];
    const name = `att-apply-${process.pid}`;
    names.push(name);
    const file = writeConfig(dir, name, [`${local}:${container}`], container, 'from apply', ['echo init-done']);
    const apply = new CliProcess(['apply', '-f', file, '-y', '--no-repo'], env);
    procs.push(apply);
    await apply.waitFor(/Press Ctrl\+C to detach\.\.\.\n/);
    assert.match(apply.stdout, new RegExp(`\\n${name} provisioning completed \\(running\\)\\nAttached to run ${name} \\(replica=0 job=0\\)\\nForwarded ports \\(local -> remote\\):\\n  - localhost:${local} -> ${container}\\n`));
    assert.equal(await httpGet(local), 'from apply');
    await apply.waitFor(/init-done/);
    apply.interrupt();
    assert.equal(await apply.exited, 0, apply.stderr);
    assert.match(apply.stdout, /\nDetached\n$/);
    assert.doesNotMatch(apply.stdout, /Stop the run/);
    assert.match(cli(['ps'], env).stdout, new RegExp(`^ ${name} .* running `, 'm'));
    assert.equal(await canListen(local), true);
  });

  it('apply refuses a taken local port before submitting anything', async () => {
    const [local, container] = [await freePort(), await freePort()];
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(local, '127.0.0.1', () => r()));
    try {
      const name = `att-busy-${process.pid}`;
      const file = writeConfig(dir, name, [`${local}:${container}`], container, 'x');
      const r = cli(['apply', '-f', file, '-y', '--no-repo'], env);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.equal(r.stderr, `Port ${local} is already in use\n`);
      assert.doesNotMatch(cli(['ps', '-a'], env).stdout, new RegExp(name));
    } finally {
      holder.close();
    }
  });

  it('Ctrl+C while provisioning (no terminal) detaches and leaves the run provisioning', async () => {
    const name = `att-prov-${process.pid}`;
    names.push(name);
    const port = await freePort();
    const file = writeConfig(dir, name, [`${port}`], port, 'x', ['sleep 60']);
    const apply = new CliProcess(['apply', '-f', file, '-y', '--no-repo'], env);
    procs.push(apply);
    await apply.waitFor(/Launching /);
    await new Promise((r) => setTimeout(r, 1500));
    apply.interrupt();
    assert.equal(await apply.exited, 0, apply.stderr);
    assert.match(apply.stdout, /\nDetached\n$/);
    assert.doesNotMatch(apply.stdout, /provisioning completed/);
    assert.match(cli(['ps'], env).stdout, new RegExp(`^ ${name} .* (submitted|provisioning|pulling) `, 'm'));
  });
});
