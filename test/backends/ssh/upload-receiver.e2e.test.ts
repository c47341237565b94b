// The upload receiver on a real sshd test host (its own /root, this machine's sh, tar and awk): every hostile
// archive sent as a run's code archive is refused before anything is extracted, nothing appears outside the
// working dir (the host's home, a directory the archive aims at), and an honest archive still extracts.

import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { sshPaths } from '../../../src/backends/ssh/config/paths';
import { connectSsh, type SshConnection } from '../../../src/backends/ssh/connect';
import { ensureClientKey } from '../../../src/backends/ssh/keys';
import { KnownHosts } from '../../../src/backends/ssh/known-hosts';
import { uploadArchiveOverSsh } from '../../../src/backends/ssh/upload-over-ssh';
import { planUpload } from '../../../src/backends/ssh/upload/plan';
import { tarStream } from '../../../src/backends/ssh/upload/tar-writer';
import { UploadError } from '../../../src/backends/ssh/upload/types';
import { hostsUnavailable, skipUnless, TestHosts } from '../../harness/hosts';
import { hostileArchives } from './upload/hostile-archives';
import { tempDir, writeTree } from './upload/helpers';

describe('upload receiver on a real sshd test host: hostile archives are refused on the host', function () {
  this.timeout(90_000);
  let hosts: TestHosts;
  let conn: SshConnection;
  let home: string;
  let local: string;

  before(function () {
    skipUnless(this, hostsUnavailable());
  });

  before(async () => {
    local = mkdtempSync(path.join(os.tmpdir(), 'dvs-receiver-e2e-'));
    const paths = sshPaths(local);
    const key = await ensureClientKey(paths.identity);
    hosts = new TestHosts(key.publicKey);
    const ip = hosts.up('h1', 1);
    home = path.join(hosts.hostDir('h1'), 'root');
    conn = await connectSsh({ host: ip, port: 22, user: 'root', privateKeys: [key.privateKey] }, { knownHosts: new KnownHosts(paths.knownHosts, paths.lock) });
  });

  after(() => {
    conn?.close();
    hosts?.down();
  });

  /** Everything under the host's home, as paths relative to it. */
  function homeTree(): string[] {
    const out: string[] = [];
    const walk = (rel: string): void => {
      for (const d of readdirSync(path.join(home, rel), { withFileTypes: true })) {
        const r = rel === '' ? d.name : `${rel}/${d.name}`;
        out.push(r);
        if (d.isDirectory()) walk(r);
      }
    };
    walk('');
    return out.sort();
  }

  for (const { label } of hostileArchives('/outside')) {
    it(`refuses ${label}: nothing extracted, nothing written outside the working dir`, async () => {
      const slug = label.replace(/[^a-z]+/g, '-');
      // A directory on the host (its /root/aim-...) that the archive aims at; it must stay empty.
      mkdirSync(path.join(home, `aim-${slug}`));
      const hostile = hostileArchives(`/root/aim-${slug}`).find((h) => h.label === label) ?? assert.fail(label);
      const archive = path.join(local, `${slug}.tar`);
      writeFileSync(archive, hostile.tar);
      const before = homeTree();
      const workdir = `/root/.dstack-vsc/${slug}/repo`;
      await assert.rejects(uploadArchiveOverSsh(conn, archive, workdir), (e: unknown) => {
        assert.ok(e instanceof UploadError, String(e));
        assert.equal(e.code, 'unsafe_path');
        assert.match(e.message, /refused the archive for \/root\/\.dstack-vsc\/.*\/repo and extracted nothing: refused archive member "/);
        assert.match(e.message, hostile.refusal);
        return true;
      });
      const created = homeTree().filter((p) => !before.includes(p));
      assert.deepEqual(created, ['.dstack-vsc', `.dstack-vsc/${slug}`, `.dstack-vsc/${slug}/repo`].filter((p) => !before.includes(p)), 'only the (empty) working dir was created');
      assert.deepEqual(readdirSync(path.join(home, `aim-${slug}`)), []);
    });
  }

  it('extracts an honest archive (symlinks inside, with ..) into the working dir', async () => {
    const src = tempDir();
    writeTree(src, { 'app.py': 'print(42)\n', 'sub/deep/b.txt': 'b\n' });
    const plan = await planUpload(src);
    const archive = path.join(local, 'honest.tar');
    writeFileSync(archive, await buffer(tarStream(plan.entries)));
    const r = await uploadArchiveOverSsh(conn, archive, '/root/.dstack-vsc/honest/repo');
    assert.equal(r.bytes, plan.archiveSize);
    assert.equal(readFileSync(path.join(home, '.dstack-vsc/honest/repo/app.py'), 'utf8'), 'print(42)\n');
    assert.deepEqual(readdirSync(path.join(home, '.dstack-vsc/honest')), ['repo'], 'no staging file left');
  });
});
