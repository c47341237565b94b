import { strict as assert } from 'node:assert';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalSshServer } from '../../../src/backends/local/ssh-server';
import { SshConfigStore } from '../../../src/backends/ssh/config/own-config';
import { sshPaths, type SshPaths } from '../../../src/backends/ssh/config/paths';
import { renderHostBlock } from '../../../src/backends/ssh/config/host-entry';
import { ensureClientKey, generateKeyPair, publicKeyBlob } from '../../../src/backends/ssh/keys';
import { KnownHosts, HostKeyChangedError, fingerprint } from '../../../src/backends/ssh/known-hosts';
import { connectSsh, SshConnectError } from '../../../src/backends/ssh/connect';
import { skipUnless, sshClientUnavailable } from '../../harness/hosts';

const RUN = 'local-run';
const NASTY = {
  QUOTES: `it's "double" and 'single'`,
  SUBST: '$(touch /tmp/dvs-pwned-subst) ${HOME} $HOME',
  TICKS: '`touch /tmp/dvs-pwned-tick`',
  NEWLINES: 'line1\nline2; touch /tmp/dvs-pwned-nl\n',
};

/** Runs the real OpenSSH client with our generated config. */
function ssh(configFile: string, args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('ssh', ['-F', configFile, '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
  });
}

describe('local backend SSH endpoint (ssh2 server) with the real OpenSSH client', () => {
  let paths: SshPaths;
  let workDir: string;
  let server: LocalSshServer;
  let hostKeyPublic: string;
  let clientPrivate: string;

  before(function () {
    skipUnless(this, sshClientUnavailable() ?? (spawnSync('script', ['--version']).error ? 'no util-linux `script` (pty)' : null));
  });

  before(async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'dvs-local-ssh-'));
    paths = sshPaths(state);
    workDir = path.join(state, 'work dir');
    mkdirSync(workDir);
    const client = await ensureClientKey(paths.identity);
    clientPrivate = client.privateKey;
    const hostKey = generateKeyPair(`${RUN} host key`);
    hostKeyPublic = hostKey.publicKey;
    server = new LocalSshServer({
      hostKey: hostKey.privateKey,
      authorizedKey: client.publicKey,
      workingDir: workDir,
      env: { DSTACK_RUN_NAME: RUN, DSTACK_WORKING_DIR: workDir, ...NASTY },
      shell: '/bin/bash',
    });
    const port = await server.start();
    await new KnownHosts(paths.knownHosts, paths.lock).pin(RUN, publicKeyBlob(hostKey.publicKey));
    await new SshConfigStore(paths).upsert(RUN, [{ alias: RUN, hostName: '127.0.0.1', port, user: os.userInfo().username, identityFile: paths.identity, knownHostsFile: paths.knownHosts }]);
  });

  after(async () => {
    await server?.stop();
  });

  it('`ssh <run-name> cmd` runs in the working dir with the environment set', async () => {
    const r = await ssh(paths.config, [RUN, 'pwd; echo "$DSTACK_RUN_NAME"']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${workDir}\n${RUN}\n`);
  });

  it('env values full of quotes, $(...), backticks and newlines arrive verbatim and execute nothing', async () => {
    const r = await ssh(paths.config, [RUN, 'printf "%s\\0" "$QUOTES" "$SUBST" "$TICKS" "$NEWLINES"']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\0').slice(0, 4), [NASTY.QUOTES, NASTY.SUBST, NASTY.TICKS, NASTY.NEWLINES]);
    for (const f of ['/tmp/dvs-pwned-subst', '/tmp/dvs-pwned-tick', '/tmp/dvs-pwned-nl']) assert.ok(!existsSync(f), f);
  });

  it('passes the exit code and stdin through', async () => {
    assert.equal((await ssh(paths.config, [RUN, 'exit 7'])).code, 7);
    const r = await ssh(paths.config, [RUN, 'wc -c'], 'twelve bytes');
    assert.equal(r.stdout.trim(), '12');
  });

  it('gives an interactive shell a real pty (ssh -tt)', async () => {
    const r = await ssh(paths.config, ['-tt', RUN], 'tty; echo "in $PWD as $DSTACK_RUN_NAME"; exit\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\/dev\/pts\/\d+/);
    assert.ok(r.stdout.includes(`in ${workDir} as ${RUN}`));
  });

  it('forwards TCP to localhost (direct-tcpip, what Remote-SSH and attach use): ssh -W', async () => {
    const echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    const port = (echo.address() as net.AddressInfo).port;
    try {
      const r = await ssh(paths.config, ['-W', `127.0.0.1:${port}`, RUN], 'ping through the tunnel');
      assert.equal(r.stdout, 'ping through the tunnel');
    } finally {
      echo.close();
    }
  });

  it('serves sftp through OpenSSH sftp-server', async function () {
    if (!existsSync('/usr/lib/openssh/sftp-server')) this.skip();
    const local = path.join(os.tmpdir(), `dvs-sftp-${process.pid}.txt`);
    writeFileSync(local, 'sftp payload\n');
    const batch = `${local}.batch`;
    writeFileSync(batch, `put ${local} uploaded.txt\n`);
    const code = await new Promise<number | null>((resolve) => {
      spawn('sftp', ['-F', paths.config, '-o', 'BatchMode=yes', '-b', batch, RUN], { stdio: 'ignore' }).on('close', resolve);
    });
    assert.equal(code, 0);
    assert.equal(readFileSync(path.join(workDir, 'uploaded.txt'), 'utf8'), 'sftp payload\n');
  });

  it('refuses any key but the run key', async () => {
    const other = generateKeyPair();
    const otherFile = path.join(paths.dir, 'other_key');
    writeFileSync(otherFile, other.privateKey, { mode: 0o600 });
    const otherConfig = path.join(paths.dir, 'other_config');
    writeFileSync(otherConfig, `${renderHostBlock({ alias: RUN, hostName: '127.0.0.1', port: server.port, user: os.userInfo().username, identityFile: otherFile, knownHostsFile: paths.knownHosts }).join('\n')}\n`);
    const r = await ssh(otherConfig, [RUN, 'echo should-not-run']);
    assert.equal(r.code, 255);
    assert.match(r.stderr, /Permission denied \(publickey\)/);
    assert.equal(r.stdout, '');
    await assert.rejects(
      connectSsh({ host: '127.0.0.1', port: server.port, user: os.userInfo().username, privateKeys: [other.privateKey], hostKeyAlias: RUN }, { knownHosts: new KnownHosts(paths.knownHosts, paths.lock) }),
      (e: unknown) => e instanceof SshConnectError && e.code === 'auth',
    );
  });

  it('ssh2 client: pins the pinned key, and refuses a changed key naming the host and the fix', async () => {
    const known = new KnownHosts(paths.knownHosts, paths.lock);
    const conn = await connectSsh({ host: '127.0.0.1', port: server.port, user: os.userInfo().username, privateKeys: [clientPrivate], hostKeyAlias: RUN }, { knownHosts: known });
    const r = await conn.exec('echo "$DSTACK_RUN_NAME"', { env: { EXTRA: NASTY.SUBST } });
    assert.equal(r.stdout, `${RUN}\n`);
    conn.close();
    const pinned: string[] = [];
    const first = await connectSsh({ host: '127.0.0.1', port: server.port, user: os.userInfo().username, privateKeys: [clientPrivate], hostKeyAlias: 'first-use' }, { knownHosts: known, onPinned: (alias, fp) => pinned.push(`${alias} ${fp}`) });
    first.close();
    assert.deepEqual(pinned, [`first-use ${fingerprint(publicKeyBlob(hostKeyPublic))}`], 'trust on first use pins the offered key');
    assert.equal(await known.check('first-use', publicKeyBlob(hostKeyPublic)), 'match');
    assert.equal(await known.check(RUN, publicKeyBlob(hostKeyPublic)), 'match');
    await known.pin('impostor-test', publicKeyBlob(generateKeyPair().publicKey));
    await assert.rejects(
      connectSsh({ host: '127.0.0.1', port: server.port, user: os.userInfo().username, privateKeys: [clientPrivate], hostKeyAlias: 'impostor-test' }, { knownHosts: known }),
      (e: unknown) => e instanceof SshConnectError && e.code === 'host_key_changed' && e.cause instanceof HostKeyChangedError &&
        /host key of impostor-test \(127\.0\.0\.1:\d+\) has changed/.test(e.message) && e.message.includes(`ssh-keygen -R impostor-test -f ${paths.knownHosts}`),
    );
  });

  it('counts connections for activity tracking: only one open longer than 10 s is activity (dstack\'s rule)', async () => {
    const conn = await connectSsh({ host: '127.0.0.1', port: server.port, user: os.userInfo().username, privateKeys: [clientPrivate], hostKeyAlias: RUN }, { knownHosts: new KnownHosts(paths.knownHosts, paths.lock) });
    assert.equal(server.connections, 1);
    const at = Date.now();
    assert.equal(server.lastActiveAt(at), null, 'a fresh connection is not activity yet');
    assert.equal(server.lastActiveAt(at + 11_000), at + 11_000, 'the same connection, seen 11 s later, is');
    conn.close();
    for (let i = 0; i < 100 && server.connections > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(server.connections, 0);
    assert.equal(server.lastActiveAt(), null, 'a connection that lasted under 10 s left no activity');
  });
});
