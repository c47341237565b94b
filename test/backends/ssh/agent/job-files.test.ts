// `files` mappings: local paths resolve against the configuration's folder, folders honour .gitignore,
// the upload limit applies per entry, and the placement lines (run here by the real sh) replace each
// destination: relative to the working dir, `~/...` in $HOME, absolute as is, hostile names inert.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { placeFilesScript, planJobFiles, remoteFileTarget } from '../../../../src/backends/ssh/agent/job-files';
import { tempDir, writeTree } from '../upload/helpers';

describe('SSH host agent: files mappings', () => {
  it('resolves local paths against the configuration file, plans folders with .gitignore and single files', async () => {
    const project = tempDir();
    writeTree(project, { 'conf/app.toml': 'a = 1\n', 'data/x.txt': 'x', 'data/.gitignore': 'big.bin\n', 'data/big.bin': 'zzz' });
    const files = await planJobFiles({ files: [{ local_path: 'conf/app.toml', path: 'app.toml' }, { local_path: 'data', path: '/opt/data' }] }, path.join(project, '.dstack.yml'));
    assert.equal(files.length, 2);
    assert.deepEqual(files.map((f) => [f.path, f.isDir, f.plan.entries.map((e) => e.path)]), [
      ['app.toml', false, ['app.toml']],
      ['/opt/data', true, ['.gitignore', 'x.txt']],
    ]);
    assert.deepEqual(await planJobFiles({ type: 'dev-environment' }, undefined), []);
  });

  it('refuses a missing local path and an entry over the upload limit, naming the file, field and fix', async () => {
    const project = tempDir();
    writeTree(project, { 'big.bin': Buffer.alloc(4096) });
    const conf = path.join(project, 'dev.dstack.yml');
    await assert.rejects(planJobFiles({ files: [{ local_path: 'nope', path: 'x' }] }, conf), /dev\.dstack\.yml: files\[0\]: local path .*nope does not exist; fix local_path/);
    await assert.rejects(planJobFiles({ files: [{ local_path: 'big.bin', path: 'x' }] }, conf, { DSTACK_SERVER_CODE_UPLOAD_LIMIT: '1000' }), /exceeds the limit/);
    await assert.rejects(planJobFiles({ files: [{ local_path: 'big.bin', path: 'x' }] }, undefined), /configuration file's path/);
  });

  it('quotes remote targets: relative under the working dir, ~ as $HOME, absolute as is', () => {
    assert.equal(remoteFileTarget('a b.txt', '/w'), `'/w/a b.txt'`);
    assert.equal(remoteFileTarget('/opt/x', '/w'), `'/opt/x'`);
    assert.equal(remoteFileTarget('~/.bashrc', '/w'), `"$HOME"/'.bashrc'`);
    assert.equal(remoteFileTarget('~', '/w'), '"$HOME"');
    assert.equal(remoteFileTarget("it's $(x)", '/w'), `'/w/it'\\''s $(x)'`);
  });

  it('placement replaces each destination (folders by content, files by copy) when run by sh', () => {
    const root = tempDir();
    const staged = path.join(root, 'staged');
    writeTree(staged, { 'f/one.txt': '1', 'd/a.txt': 'A', 'd/sub/b.txt': 'B' });
    const work = path.join(root, 'work');
    const home = path.join(root, 'home');
    mkdirSync(home);
    writeTree(work, { 'conf/old.txt': 'stale' });
    const hostile = "it's $(touch pwned)";
    const lines = placeFilesScript([
      { path: 'conf', staged: path.join(staged, 'd'), isDir: true },
      { path: `nested/${hostile}.txt`, staged: path.join(staged, 'f/one.txt'), isDir: false },
      { path: '~/copy.txt', staged: path.join(staged, 'f/one.txt'), isDir: false },
      { path: path.join(root, 'abs/dir'), staged: path.join(staged, 'd'), isDir: true },
    ], work);
    execFileSync('sh', ['-c', ['set -e', `cd '${work}'`, ...lines].join('\n')], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home } });
    assert.deepEqual(readdirSync(path.join(work, 'conf')).sort(), ['a.txt', 'sub'], 'the old content is gone');
    assert.equal(readFileSync(path.join(work, 'conf/sub/b.txt'), 'utf8'), 'B');
    assert.equal(readFileSync(path.join(work, 'nested', `${hostile}.txt`), 'utf8'), '1');
    assert.equal(readFileSync(path.join(home, 'copy.txt'), 'utf8'), '1');
    assert.equal(readFileSync(path.join(root, 'abs/dir/a.txt'), 'utf8'), 'A');
    assert.ok(!existsSync(path.join(work, 'pwned')));
  });
});
