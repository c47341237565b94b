// The pod's bootstrap script run for real: in a private mount namespace whose /etc, /root and /run are
// overlays (nothing of this machine changes), it installs the keys and runs OpenSSH's sshd, which accepts the
// run's key and presents the host key the orchestrator generated. Needs root, unshare and sshd; skipped otherwise.

import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'ssh2';
import { bootstrapScript, ENV_AUTHORIZED_KEY, ENV_HOST_KEY } from '../../../src/backends/kubernetes/bootstrap';
import { generateKeyPair, publicKeyBlob } from '../../../src/backends/ssh/keys';

function unavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  if (!['/usr/sbin/sshd', '/usr/bin/sshd'].some((p) => existsSync(p))) return 'no OpenSSH sshd';
  if (spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status !== 0) return 'unshare -m is not allowed here';
  return null;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('the pod bootstrap (sshd with the generated host key and the run key)', function () {
  this.timeout(30_000);
  let dir: string;
  let child: ChildProcess | undefined;

  before(function () {
    const why = unavailable();
    if (why) { console.log(`    (skipped: ${why})`); this.skip(); }
  });
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves SSH on the pod port: the run key logs in as root, the host key is the pinned one, the key env is gone', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dvs-kube-boot-'));
    const mounts = ['etc', 'root', 'run'].map((d) => {
      for (const s of ['u', 'w']) mkdirSync(path.join(dir, `${d}-${s}`));
      return `mount -t overlay overlay -o lowerdir=/${d},upperdir=${dir}/${d}-u,workdir=${dir}/${d}-w /${d}`;
    });
    const host = generateKeyPair('pod host');
    const run = generateKeyPair('run');
    const port = await freePort();
    let log = '';
    child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${mounts.join(' && ')} && exec sh -c "$BOOT"`], {
      env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', BOOT: bootstrapScript(port), [ENV_AUTHORIZED_KEY]: run.publicKey, [ENV_HOST_KEY]: host.privateKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
    const out = await new Promise<string>((resolve, reject) => {
      const deadline = Date.now() + 15_000;
      const attempt = (): void => {
        const c = new Client();
        c.on('ready', () => c.exec('id -u; printf "[%s]\\n" "$DSTACK_VSC_HOST_KEY"; stat -c %a /root/.ssh/authorized_keys /etc/dstack-vsc/host_key', (err, ch) => {
          if (err) return reject(err);
          let text = '';
          ch.on('data', (d: Buffer) => { text += d.toString(); }).on('close', () => { c.end(); resolve(text); });
        })).on('error', (e) => {
          if (Date.now() > deadline) reject(new Error(`${e.message}; sshd said: ${log}`)); else setTimeout(attempt, 200);
        }).connect({ host: '127.0.0.1', port, username: 'root', privateKey: run.privateKey, hostVerifier: (key: Buffer) => key.equals(publicKeyBlob(host.publicKey)) });
      };
      attempt();
    });
    assert.equal(out, '0\n[]\n600\n600\n');
    assert.equal(existsSync('/etc/dstack-vsc'), false, 'this machine\'s /etc is untouched');
  });
});
