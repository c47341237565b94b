import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalSshServer } from '../../../src/backends/local/ssh-server';
import { SshAccess } from '../../../src/backends/ssh/access';
import { connectSsh } from '../../../src/backends/ssh/connect';
import { sshPaths, type SshPaths } from '../../../src/backends/ssh/config/paths';
import { ensureClientKey, generateKeyPair } from '../../../src/backends/ssh/keys';
import { KnownHosts } from '../../../src/backends/ssh/known-hosts';
import { forwardPorts, PortForwardError } from '../../../src/backends/ssh/port-forward';
import { skipUnless, sshClientUnavailable } from '../../harness/hosts';

describe('environment SSH access (publish / retract) and attach port forwards, with the real OpenSSH client', () => {
  let paths: SshPaths;
  let userConfig: string;
  let server: LocalSshServer;
  let hostKey: ReturnType<typeof generateKeyPair>;
  let clientKey: string;
  const user = os.userInfo().username;

  before(function () {
    skipUnless(this, sshClientUnavailable());
  });

  before(async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'dvs-access-'));
    paths = sshPaths(path.join(home, 'state'));
    userConfig = path.join(home, '.ssh', 'config');
    mkdirSync(path.dirname(userConfig));
    writeFileSync(userConfig, 'Host *\n    User nobody-else\n    Port 2222\n');
    const client = await ensureClientKey(paths.identity);
    clientKey = client.privateKey;
    hostKey = generateKeyPair();
    const work = path.join(home, 'work');
    mkdirSync(work);
    server = new LocalSshServer({ hostKey: hostKey.privateKey, authorizedKey: client.publicKey, workingDir: work, env: { DSTACK_RUN_NAME: 'acc-run' }, shell: '/bin/sh' });
    await server.start();
  });

  after(async () => {
    await server?.stop();
  });

  // Async: the server under test runs in this process, so a blocking spawnSync would deadlock.
  const ssh = (...args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('ssh', ['-F', userConfig, '-o', 'BatchMode=yes', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

  it('`ssh <run>` works through the Include (a user Host * below it changes nothing) and stops working after retract', async () => {
    const access = new SshAccess(paths, userConfig);
    const ep = { runName: 'acc-run', hostName: '127.0.0.1', port: server.port, user, hostPublicKey: hostKey.publicKey };
    await access.publish(ep);
    await access.publish(ep);
    const r = await ssh('acc-run', 'echo "$DSTACK_RUN_NAME"');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'acc-run\n');
    assert.equal((await access.doctor(ep)).status, 'ok');
    assert.equal(readFileSync(userConfig, 'utf8').match(/vscode-dstack >>>/g)?.length, 1);
    await access.retract('acc-run');
    assert.deepEqual(await access.published(), []);
    const g = await ssh('-G', 'acc-run');
    assert.match(g.stdout, /^hostname acc-run$/m, 'the alias no longer resolves to our entry');
    assert.match(g.stdout, /^port 2222$/m);
    assert.equal(await new KnownHosts(paths.knownHosts, paths.lock).check('acc-run', Buffer.from('x')), 'unknown', 'the pinned key went with it');
  });

  it('reaches the environment through its host (ProxyJump) with both keys pinned beforehand', async () => {
    const access = new SshAccess(paths, userConfig);
    await access.publish({
      runName: 'jump-run', hostName: '127.0.0.1', port: server.port, user, hostPublicKey: hostKey.publicKey,
      via: { hostName: '127.0.0.1', port: server.port, user, hostPublicKey: hostKey.publicKey },
    });
    assert.match(readFileSync(paths.config, 'utf8'), /Host jump-run\n[\s\S]*ProxyJump jump-run-host/);
    const r = await ssh('jump-run', 'pwd');
    assert.equal(r.status, 0, r.stderr);
    await access.retract('jump-run');
  });

  it('forwards local ports to the environment for as long as attach runs', async () => {
    const web = http.createServer((req, res) => res.end(`hello from ${req.url}`));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
    const remotePort = (web.address() as net.AddressInfo).port;
    const conn = await connectSsh({ host: '127.0.0.1', port: server.port, user, privateKeys: [clientKey], hostKeyAlias: 'pf-test' }, { knownHosts: new KnownHosts(paths.knownHosts, paths.lock) });
    try {
      const fwd = await forwardPorts(conn, [{ local: 0, remote: remotePort }]);
      const bound = fwd.ports[0]!.bound;
      const body = await (await fetch(`http://127.0.0.1:${bound}/x`)).text();
      assert.equal(body, 'hello from /x');
      const busy = await forwardPorts(conn, [{ local: bound, remote: remotePort }]).catch((e: unknown) => e);
      assert.ok(busy instanceof PortForwardError && busy.code === 'EADDRINUSE');
      assert.match(busy.message, new RegExp(`Local port ${bound} \\(forwarding to port ${remotePort} of the environment\\) is already in use`));
      await fwd.close();
      await assert.rejects(fetch(`http://127.0.0.1:${bound}/x`));
    } finally {
      conn.close();
      web.close();
    }
  });
});
