import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { planUpload } from '../../../../src/backends/ssh/upload/plan';
import { tarStream } from '../../../../src/backends/ssh/upload/tar-writer';
import { extractTar } from '../../../../src/backends/ssh/upload/tar-extract';
import { git, paxPath, rawTar, tempDir, writeTree } from './helpers';

const LONG = `${'deep-directory-name/'.repeat(8)}and-a-very-long-file-name-that-needs-pax-${'x'.repeat(60)}.txt`;

function sourceTree(): string {
  const root = tempDir();
  git(root, 'init', '-q');
  writeTree(root, {
    'a.txt': 'hello\n',
    'bin/tool': '#!/bin/sh\n',
    'empty.txt': '',
    'exact512.bin': Buffer.alloc(512, 7),
    'big.bin': Buffer.from(Array.from({ length: 700_000 }, (_, i) => (i * 31) & 0xff)),
    [LONG]: 'long\n',
    'ünï cödé "q" \'s\n.txt': 'odd\n',
  });
  execFileSync('chmod', ['750', path.join(root, 'bin/tool')]);
  execFileSync('chmod', ['0700', path.join(root, 'bin')]);
  symlinkSync('../a.txt', path.join(root, 'bin', 'link-to-a'));
  symlinkSync(`${LONG.split('/').slice(0, 5).join('/')}`, path.join(root, 'long-dir-link'));
  return root;
}

describe('tar writer and extractor', () => {
  it('round-trips a tree byte for byte, with modes, symlinks, long and odd names', async () => {
    const src = sourceTree();
    const plan = await planUpload(src);
    const archive = await buffer(tarStream(plan.entries));
    assert.equal(archive.length, plan.archiveSize, 'archiveSize predicts the stream exactly');
    const dest = tempDir();
    const result = await extractTar(Readable.from([archive]), dest);
    for (const e of plan.entries) {
      const got = path.join(dest, e.path);
      if (e.kind === 'file') {
        assert.deepEqual(readFileSync(got), readFileSync(path.join(src, e.path)), e.path);
        assert.equal(statSync(got).mode & 0o777, e.mode & 0o777, `mode of ${e.path}`);
      } else if (e.kind === 'symlink') {
        assert.equal(readlinkSync(got), e.target);
      } else {
        assert.ok(lstatSync(got).isDirectory());
      }
    }
    assert.equal(statSync(path.join(dest, 'bin')).mode & 0o777, 0o700);
    assert.equal(result.files, plan.entries.filter((e) => e.kind === 'file').length);
    assert.equal(result.symlinks, 2);
  });

  it('writes archives GNU tar reads and extracts identically', async () => {
    const src = sourceTree();
    const plan = await planUpload(src);
    const archive = await buffer(tarStream(plan.entries));
    const dest = tempDir();
    execFileSync('tar', ['-x', '-C', dest], { input: archive });
    for (const e of plan.entries) {
      if (e.kind === 'file') assert.deepEqual(readFileSync(path.join(dest, e.path)), readFileSync(path.join(src, e.path)), e.path);
      if (e.kind === 'symlink') assert.equal(readlinkSync(path.join(dest, e.path)), e.target);
    }
  });

  it('extracts archives made by GNU tar (pax format) too', async () => {
    const src = sourceTree();
    const archive = execFileSync('tar', ['--format=pax', '-c', '-C', src, '--exclude=.git', '.'], { maxBuffer: 1 << 26 });
    const dest = tempDir();
    await extractTar(Readable.from([archive]), dest);
    assert.deepEqual(readFileSync(path.join(dest, LONG)), readFileSync(path.join(src, LONG)));
    assert.deepEqual(readFileSync(path.join(dest, 'big.bin')), readFileSync(path.join(src, 'big.bin')));
  });

  it('streams input that arrives in odd-sized chunks', async () => {
    const src = sourceTree();
    const archive = await buffer(tarStream((await planUpload(src)).entries));
    const chunks: Buffer[] = [];
    for (let i = 0; i < archive.length; i += 333) chunks.push(archive.subarray(i, i + 333));
    const dest = tempDir();
    await extractTar(Readable.from(chunks), dest);
    assert.deepEqual(readFileSync(path.join(dest, 'big.bin')), readFileSync(path.join(src, 'big.bin')));
  });

  describe('refuses hostile archives', () => {
    const cases: Array<[string, Parameters<typeof rawTar>[0], RegExp]> = [
      ['an absolute path', [{ name: '/tmp/evil', body: Buffer.from('x') }], /absolute paths are not allowed/],
      ['a .. path', [{ name: '../evil', body: Buffer.from('x') }], /'\.\.' is not allowed/],
      ['a .. in the middle', [{ name: 'a/../../evil', body: Buffer.from('x') }], /'\.\.' is not allowed/],
      ['a .. smuggled in a pax path', [paxPath('ok/../../evil'), { name: 'ok/harmless', body: Buffer.from('x') }], /'\.\.' is not allowed/],
      ['an absolute symlink', [{ name: 'l', type: '2', linkname: '/etc' }], /target "\/etc" is absolute/],
      ['a symlink that climbs out', [{ name: 'd/l', type: '2', linkname: '../../outside' }], /leaves the destination/],
      ['a write through a symlink', [{ name: 'sub', type: '5' }, { name: 'l', type: '2', linkname: 'sub' }, { name: 'l/file', body: Buffer.from('x') }], /parent l is a symlink/],
      ['a hard link', [{ name: 'h', type: '1', linkname: 'a' }], /entry type '1'/],
      ['a device node', [{ name: 'dev', type: '3' }], /entry type '3'/],
      ['a corrupt header', [{ name: 'a', body: Buffer.from('x'), badChecksum: true }], /checksum mismatch/],
    ];
    for (const [what, members, message] of cases) {
      it(what, async () => {
        const parent = tempDir();
        const dest = path.join(parent, 'dest');
        mkdirSync(dest);
        writeFileSync(path.join(parent, 'outside'), 'untouched');
        await assert.rejects(extractTar(Readable.from([rawTar(members)]), dest), message);
        assert.ok(!existsSync(path.join(parent, 'evil')));
        assert.ok(!existsSync('/tmp/evil'));
        assert.equal(readFileSync(path.join(parent, 'outside'), 'utf8'), 'untouched');
        assert.ok(!existsSync(path.join(dest, 'sub', 'file')));
      });
    }

    it('a truncated archive', async () => {
      const archive = rawTar([{ name: 'a', body: Buffer.alloc(5000, 1) }]).subarray(0, 2048);
      await assert.rejects(extractTar(Readable.from([archive]), tempDir()), /Truncated/);
    });
  });

  it('the writer refuses to emit unsafe member names', async () => {
    const entries = [{ kind: 'file' as const, path: '../x', mode: 0o644, mtime: 0, size: 0, absPath: '/dev/null' }];
    await assert.rejects(buffer(tarStream(entries)), /Refusing archive member "\.\.\/x"/);
  });
});
