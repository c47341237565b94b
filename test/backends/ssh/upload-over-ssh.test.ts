import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalSshServer } from '../../../src/backends/local/ssh-server';
import { connectSsh, type SshConnection } from '../../../src/backends/ssh/connect';
import { sshPaths } from '../../../src/backends/ssh/config/paths';
import { generateKeyPair } from '../../../src/backends/ssh/keys';
import { KnownHosts } from '../../../src/backends/ssh/known-hosts';
import { uploadOverSsh } from '../../../src/backends/ssh/upload-over-ssh';
import { planUpload } from '../../../src/backends/ssh/upload/plan';
import { git, tempDir, writeTree } from './upload/helpers';

describe('code upload streamed as tar over an SSH exec channel (local endpoint, real tar -x)', () => {
  let server: LocalSshServer;
  let conn: SshConnection;

  before(async () => {
    const client = generateKeyPair();
    const host = generateKeyPair();
    const work = mkdtempSync(path.join(os.tmpdir(), 'dvs-up-'));
    server = new LocalSshServer({ hostKey: host.privateKey, authorizedKey: client.publicKey, workingDir: work, env: {}, shell: '/bin/sh' });
    const port = await server.start();
    const paths = sshPaths(work);
    conn = await connectSsh({ host: '127.0.0.1', port, user: os.userInfo().username, privateKeys: [client.privateKey], hostKeyAlias: 'upload-test' }, { knownHosts: new KnownHosts(paths.knownHosts, paths.lock) });
  });

  after(async () => {
    conn.close();
    await server.stop();
  });

  it('delivers a git work tree byte for byte into a directory with spaces in its name', async () => {
    const repo = tempDir();
    git(repo, 'init', '-q');
    writeTree(repo, { 'src/a.py': 'print(1)\n', 'data.bin': Buffer.from(Array.from({ length: 300_000 }, (_, i) => i & 0xff)), 'odd "name" $(x).txt': 'odd\n', '.gitignore': 'skip/\n', 'skip/x': 'no' });
    symlinkSync('src/a.py', path.join(repo, 'link'));
    git(repo, 'add', 'src');
    git(repo, 'commit', '-q', '-m', 'c');
    const plan = await planUpload(repo);
    const dest = path.join(tempDir(), "remote dir 'q'");
    const result = await uploadOverSsh(conn, plan, dest);
    assert.equal(result.bytes, plan.archiveSize);
    for (const e of plan.entries) {
      if (e.kind === 'file') assert.deepEqual(readFileSync(path.join(dest, e.path)), readFileSync(path.join(repo, e.path)), e.path);
      if (e.kind === 'symlink') assert.equal(readlinkSync(path.join(dest, e.path)), e.target);
    }
    assert.ok(statSync(path.join(dest, 'src')).isDirectory());
    assert.throws(() => statSync(path.join(dest, 'skip')));
  });

  it('reports a failed extraction with the host, the dir and tar\'s message', async () => {
    const plan = await planUpload(tempDir());
    await assert.rejects(uploadOverSsh(conn, plan, '/proc/forbidden/here'), /Extracting the code on 127\.0\.0\.1 into \/proc\/forbidden\/here failed/);
  });
});
