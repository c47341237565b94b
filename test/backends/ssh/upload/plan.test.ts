import { strict as assert } from 'node:assert';
import { mkdirSync, symlinkSync, unlinkSync, writeFileSync, chmodSync } from 'node:fs';
import * as path from 'node:path';
import { planUpload } from '../../../../src/backends/ssh/upload/plan';
import { archiveSize } from '../../../../src/backends/ssh/upload/tar-writer';
import { git, tempDir, writeTree } from './helpers';

const ODD_NAMES = ['with space.txt', 'quote\'s "double".txt', 'new\nline.txt', 'ünïcödé-日本.txt', '$(touch pwned).txt', 'back`tick`.txt'];

/** A real git repo with every kind of file the upload must handle. */
function makeRepo(): string {
  const repo = tempDir();
  git(repo, 'init', '-q');
  writeTree(repo, {
    '.gitignore': '*.log\nnode_modules/\n',
    'src/main.py': 'print(1)\n',
    'src/.gitignore': 'generated/\n',
    'src/generated/out.py': 'x\n',
    'committed-then-deleted.txt': 'bye\n',
    'README.md': 'v1\n',
    'run.sh': '#!/bin/sh\necho hi\n',
  });
  chmodSync(path.join(repo, 'run.sh'), 0o755);
  for (const n of ODD_NAMES) writeFileSync(path.join(repo, n), `odd ${n}\n`);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'init');
  // Working tree changes after the commit: modified, untracked, ignored, deleted, .dstackignore'd.
  writeTree(repo, {
    'README.md': 'v2 uncommitted\n',
    'untracked.txt': 'new\n',
    'debug.log': 'ignored\n',
    'node_modules/pkg/index.js': 'ignored\n',
    'data/big.bin': Buffer.alloc(4096, 1),
    'data/small.csv': 'a,b\n',
    '.dstackignore': 'data/*.bin\n',
    'docs/.dstackignore': 'draft.md\n',
    'docs/draft.md': 'draft\n',
    'docs/final.md': 'final\n',
  });
  unlinkSync(path.join(repo, 'committed-then-deleted.txt'));
  return repo;
}

describe('upload plan', () => {
  it('uploads the working tree as the user sees it: modified, untracked and odd names in, ignored out', async () => {
    const repo = makeRepo();
    const plan = await planUpload(repo);
    assert.equal(plan.source, 'git');
    const files = plan.entries.filter((e) => e.kind === 'file').map((e) => e.path);
    for (const f of ['README.md', 'untracked.txt', 'src/main.py', 'data/small.csv', 'docs/final.md', '.gitignore', '.dstackignore', 'run.sh', ...ODD_NAMES]) {
      assert.ok(files.includes(f), `${JSON.stringify(f)} is uploaded`);
    }
    for (const f of ['debug.log', 'node_modules/pkg/index.js', 'src/generated/out.py', 'data/big.bin', 'docs/draft.md', 'committed-then-deleted.txt']) {
      assert.ok(!files.includes(f), `${f} is not uploaded`);
    }
    assert.ok(!plan.entries.some((e) => e.path === '.git' || e.path.startsWith('.git/')));
    const readme = plan.entries.find((e) => e.path === 'README.md');
    assert.ok(readme?.kind === 'file' && readme.size === 'v2 uncommitted\n'.length, 'the uncommitted content is what goes up');
    const runSh = plan.entries.find((e) => e.path === 'run.sh');
    assert.equal(runSh?.kind === 'file' ? runSh.mode & 0o777 : 0, 0o755);
  });

  it('explains every exclusion with its reason and rule', async () => {
    const plan = await planUpload(makeRepo());
    const byPath = new Map(plan.excluded.map((x) => [x.path, x]));
    assert.equal(byPath.get('data/big.bin')?.reason, 'dstackignore');
    assert.equal(byPath.get('data/big.bin')?.detail, '.dstackignore: data/*.bin');
    assert.equal(byPath.get('docs/draft.md')?.detail, 'docs/.dstackignore: draft.md');
    assert.equal(byPath.get('debug.log')?.reason, 'gitignore');
    assert.equal(byPath.get('node_modules/')?.reason, 'gitignore');
    assert.equal(byPath.get('src/generated/')?.reason, 'gitignore');
  });

  it('lists parent directories before their files and computes the exact archive size', async () => {
    const plan = await planUpload(makeRepo());
    const paths = plan.entries.map((e) => e.path);
    assert.ok(paths.indexOf('src') < paths.indexOf('src/main.py'));
    assert.equal(plan.entries.find((e) => e.path === 'src')?.kind, 'dir');
    assert.equal(plan.archiveSize, archiveSize(plan.entries));
  });

  it('keeps symlinks inside the root, and replaces outside ones with content or leaves them out', async () => {
    const outside = tempDir();
    writeFileSync(path.join(outside, 'shared.txt'), 'from outside\n');
    mkdirSync(path.join(outside, 'dir'));
    const root = tempDir();
    writeTree(root, { 'real/target.txt': 't\n' });
    symlinkSync('real/target.txt', path.join(root, 'inside-link'));
    symlinkSync(path.join(root, 'real'), path.join(root, 'abs-inside-dir'));
    symlinkSync(path.join(outside, 'shared.txt'), path.join(root, 'outside-file'));
    symlinkSync(path.join(outside, 'dir'), path.join(root, 'outside-dir'));
    symlinkSync('../../nowhere', path.join(root, 'dangling-out'));
    symlinkSync('missing-inside', path.join(root, 'dangling-in'));
    const plan = await planUpload(root);
    const get = (p: string) => plan.entries.find((e) => e.path === p);
    assert.deepEqual(get('inside-link'), { kind: 'symlink', path: 'inside-link', mtime: get('inside-link')!.mtime, target: 'real/target.txt' });
    const absInside = get('abs-inside-dir');
    assert.equal(absInside?.kind === 'symlink' ? absInside.target : '', 'real', 'an absolute link inside the root becomes relative');
    const outsideFile = get('outside-file');
    assert.ok(outsideFile?.kind === 'file' && outsideFile.size === 'from outside\n'.length);
    assert.equal(get('outside-dir'), undefined);
    assert.equal(get('dangling-out'), undefined);
    assert.equal(get('dangling-in')?.kind, 'symlink');
    assert.deepEqual(plan.excluded.filter((x) => x.reason === 'symlink-outside').map((x) => x.path), ['dangling-out', 'outside-dir']);
    const strict = await planUpload(root, { outsideSymlinks: 'exclude' });
    assert.equal(strict.entries.find((e) => e.path === 'outside-file'), undefined);
  });

  it('honours .gitignore and .dstackignore in a plain folder and never uploads a stray .git/', async () => {
    const root = tempDir();
    writeTree(root, { '.gitignore': '*.tmp\n', '.dstackignore': 'secret/\n', 'a.tmp': 'x', 'b.txt': 'y', 'secret/key': 'k', '.git/config': 'c', 'sub/.git/HEAD': 'h' });
    const plan = await planUpload(root);
    assert.equal(plan.source, 'folder');
    assert.deepEqual(plan.entries.filter((e) => e.kind === 'file').map((e) => e.path), ['.dstackignore', '.gitignore', 'b.txt']);
    assert.deepEqual(plan.excluded.map((x) => `${x.path} ${x.reason}`), ['.git/ git-dir', 'a.tmp gitignore', 'secret/key dstackignore', 'sub/.git/ git-dir']);
  });

  it('--no-repo uploads nothing, and a missing folder is an error that says what to do', async () => {
    const plan = await planUpload(makeRepo(), { noRepo: true });
    assert.equal(plan.source, 'none');
    assert.deepEqual(plan.entries, []);
    assert.equal(plan.archiveSize, 1024);
    await assert.rejects(planUpload('/nonexistent/dir'), /is not a directory.*--no-repo/);
  });

  it('uploads only the subfolder when the root is inside a repo', async () => {
    const repo = makeRepo();
    const plan = await planUpload(path.join(repo, 'src'));
    assert.equal(plan.source, 'git');
    assert.deepEqual(plan.entries.filter((e) => e.kind === 'file').map((e) => e.path), ['.gitignore', 'main.py']);
  });
});
