import { strict as assert } from 'node:assert';
import { cpSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { IgnoreMatcher } from '../../../../src/backends/ssh/upload/gitignore';
import { planUpload } from '../../../../src/backends/ssh/upload/plan';
import { git, tempDir, writeTree } from './helpers';

function matcher(text: string, base = ''): IgnoreMatcher {
  const m = new IgnoreMatcher();
  m.add(text, base, '.dstackignore');
  return m;
}

describe('gitignore matcher', () => {
  it('matches unanchored names at any depth and anchored paths only from the base', () => {
    const m = matcher('*.log\n/build\ndocs/tmp\n');
    assert.equal(m.ignores('a.log', false), true);
    assert.equal(m.ignores('x/y/a.log', false), true);
    assert.equal(m.ignores('build', true), true);
    assert.equal(m.ignores('src/build', true), false);
    assert.equal(m.ignores('docs/tmp', false), true);
    assert.equal(m.ignores('x/docs/tmp', false), false);
  });

  it('applies directory-only patterns to directories and everything inside them', () => {
    const m = matcher('cache/\n');
    assert.equal(m.ignores('cache', false), false);
    assert.equal(m.ignores('cache', true), true);
    assert.equal(m.ignores('a/cache/x.txt', false), true);
  });

  it('lets a later negation re-include a file but never one inside an ignored directory', () => {
    const m = matcher('*.bin\n!keep.bin\nout/\n!out/important.txt\n');
    assert.equal(m.ignores('a.bin', false), true);
    assert.equal(m.ignores('keep.bin', false), false);
    assert.equal(m.ignores('out/important.txt', false), true);
  });

  it('handles **, ?, character classes, escapes, comments and trailing spaces', () => {
    const m = matcher('# comment\n**/gen/**\na/**/z\nfile?.txt\n[abc]x\n[!0-9]y\n\\#hash\n\\!bang\nspace\\ \ntrail   \n');
    assert.equal(m.ignores('gen/x/y', false), true);
    assert.equal(m.ignores('p/gen/x', false), true);
    assert.equal(m.ignores('a/z', false), true);
    assert.equal(m.ignores('a/b/c/z', false), true);
    assert.equal(m.ignores('file1.txt', false), true);
    assert.equal(m.ignores('file12.txt', false), false);
    assert.equal(m.ignores('bx', false), true);
    assert.equal(m.ignores('dx', false), false);
    assert.equal(m.ignores('ay', false), true);
    assert.equal(m.ignores('5y', false), false);
    assert.equal(m.ignores('#hash', false), true);
    assert.equal(m.ignores('!bang', false), true);
    assert.equal(m.ignores('space ', false), true);
    assert.equal(m.ignores('trail', false), true);
    assert.equal(m.ignores('# comment', false), false);
  });

  it('scopes a nested ignore file to its own directory, and the deeper file wins', () => {
    const m = new IgnoreMatcher();
    m.add('*.tmp\n', '', '.dstackignore');
    m.add('!special.tmp\n/local\n', 'sub', 'sub/.dstackignore');
    assert.equal(m.ignores('sub/special.tmp', false), false);
    assert.equal(m.ignores('special.tmp', false), true);
    assert.equal(m.ignores('sub/local', false), true);
    assert.equal(m.ignores('local', false), false);
    assert.match(m.check('sub/x/other.tmp', false).because, /^\.dstackignore: \*\.tmp$/);
  });

  it('agrees with real git on a tree with nested .gitignore files', async () => {
    const tree: Record<string, string> = {
      '.gitignore': '*.log\n!important.log\n/top-only\nbuild/\ndocs/**/*.pdf\n[Tt]emp*\n**/cache\nsecret?.txt\n',
      'sub/.gitignore': '!*.log\nlocal.txt\n/anchored\n',
      'sub/deeper/.gitignore': '*\n!keep\n!*/\n',
    };
    const names = ['a.log', 'important.log', 'top-only', 'x/top-only', 'build/o.bin', 'src/build/o.bin', 'docs/a.pdf', 'docs/x/y/b.pdf',
      'docs/readme.md', 'Temp1', 'temp/x', 'tempo.txt', 'a/cache/c', 'cache', 'secret1.txt', 'secret12.txt', 'sub/a.log', 'sub/local.txt',
      'sub/anchored', 'sub/x/anchored', 'sub/deeper/keep', 'sub/deeper/drop', 'sub/deeper/d/keep', 'sub/deeper/d/drop', 'main.py', 'b/c/d.txt'];
    for (const n of names) tree[n] = `content of ${n}\n`;
    const repo = tempDir();
    writeTree(repo, tree);
    git(repo, 'init', '-q');
    const gitFiles = git(repo, 'ls-files', '-co', '--exclude-standard', '-z').split('\0').filter(Boolean).sort();
    const plain = tempDir();
    cpSync(repo, plain, { recursive: true });
    rmSync(path.join(plain, '.git'), { recursive: true });
    const plan = await planUpload(plain);
    assert.equal(plan.source, 'folder');
    const ours = plan.entries.filter((e) => e.kind !== 'dir').map((e) => e.path).sort();
    assert.deepEqual(ours, gitFiles);
    assert.ok(ours.length > 5 && ours.length < names.length, 'the tree exercises both outcomes');
  });
});
