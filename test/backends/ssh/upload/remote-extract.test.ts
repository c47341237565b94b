// The host side of the code upload, run by this machine's real sh, tar and awk: our writer's archives
// (symlinks inside, long and odd names) extract as before; every hostile archive is refused before
// anything is extracted, naming the member, and leaves no staging file behind.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { RECEIVER_SH, REFUSED_EXIT, UNREADABLE_EXIT } from '../../../../src/backends/ssh/upload/remote-extract';
import { planUpload } from '../../../../src/backends/ssh/upload/plan';
import { tarStream } from '../../../../src/backends/ssh/upload/tar-writer';
import { hostileArchives } from './hostile-archives';
import { rawTar, tempDir, writeTree } from './helpers';

function receive(tar: Buffer, dest: string): { status: number | null; stderr: string } {
  const r = spawnSync('sh', ['-c', RECEIVER_SH, 'receive', dest], { input: tar, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('the host receiver of uploads (POSIX sh + the host\'s tar and awk)', () => {
  it('extracts our writer\'s archive: files, symlinks that stay inside (also with ..), odd names', async () => {
    const src = tempDir();
    writeTree(src, { 'a.txt': 'hello\n', 'sub/deep/b.txt': 'b\n', 'odd -> name.txt': 'arrow\n', 'sp ace/ünï "q".txt': 'u\n' });
    symlinkSync('../../a.txt', path.join(src, 'sub', 'deep', 'up-link'));
    symlinkSync('sub/deep', path.join(src, 'dir-link'));
    const plan = await planUpload(src);
    const parent = tempDir();
    const dest = path.join(parent, 'repo');
    const r = receive(await buffer(tarStream(plan.entries)), dest);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(path.join(dest, 'sub/deep/up-link'), 'utf8'), 'hello\n');
    assert.equal(readlinkSync(path.join(dest, 'dir-link')), 'sub/deep');
    assert.equal(readFileSync(path.join(dest, 'odd -> name.txt'), 'utf8'), 'arrow\n');
    assert.equal(readFileSync(path.join(dest, 'sp ace/ünï "q".txt'), 'utf8'), 'u\n');
    assert.deepEqual(readdirSync(parent), ['repo'], 'no staging file is left beside the destination');
  });

  for (const { label } of hostileArchives('/outside')) {
    it(`refuses ${label}, extracting nothing`, () => {
      const parent = tempDir();
      const outside = path.join(parent, 'outside');
      mkdirSync(outside);
      const hostile = hostileArchives(outside).find((h) => h.label === label) ?? assert.fail(label);
      const dest = path.join(parent, 'work', 'repo');
      const r = receive(hostile.tar, dest);
      assert.equal(r.status, REFUSED_EXIT, r.stderr);
      assert.match(r.stderr, /^refused archive member "/);
      assert.match(r.stderr, hostile.refusal);
      assert.deepEqual(readdirSync(dest), [], 'nothing was extracted');
      assert.deepEqual(readdirSync(path.join(parent, 'work')), ['repo'], 'nothing beside the destination, no staging file');
      assert.deepEqual(readdirSync(outside), []);
    });
  }

  it('reports an archive the host\'s tar cannot read', () => {
    const dest = path.join(tempDir(), 'repo');
    const r = receive(rawTar([{ name: 'a.txt', body: Buffer.from('x'), badChecksum: true }]), dest);
    assert.equal(r.status, UNREADABLE_EXIT, r.stderr);
    assert.match(r.stderr, /cannot read the archive/);
  });
});
