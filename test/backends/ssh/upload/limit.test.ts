import { strict as assert } from 'node:assert';
import { planUpload } from '../../../../src/backends/ssh/upload/plan';
import { checkUploadLimit, DEFAULT_UPLOAD_LIMIT, uploadLimitFromEnv } from '../../../../src/backends/ssh/upload/limit';
import { uploadPreview } from '../../../../src/backends/ssh/upload/preview';
import { UploadError } from '../../../../src/backends/ssh/upload/types';
import { git, tempDir, writeTree } from './helpers';

function bigRepo(): string {
  const repo = tempDir();
  git(repo, 'init', '-q');
  writeTree(repo, {
    'model/weights.bin': Buffer.alloc(3 * 1024 * 1024, 1),
    'data/train.csv': Buffer.alloc(600 * 1024, 2),
    'src/app.py': 'print()\n',
    'notes.log': 'ignored by git\n',
    '.gitignore': '*.log\n',
  });
  return repo;
}

describe('upload size limit and preview', () => {
  it('defaults to 2 MiB, reads DSTACK_SERVER_CODE_UPLOAD_LIMIT, and 0 disables', () => {
    assert.equal(uploadLimitFromEnv({}), DEFAULT_UPLOAD_LIMIT);
    assert.equal(DEFAULT_UPLOAD_LIMIT, 2097152);
    assert.equal(uploadLimitFromEnv({ DSTACK_SERVER_CODE_UPLOAD_LIMIT: '10485760' }), 10485760);
    assert.equal(uploadLimitFromEnv({ DSTACK_SERVER_CODE_UPLOAD_LIMIT: '0' }), 0);
    assert.throws(() => uploadLimitFromEnv({ DSTACK_SERVER_CODE_UPLOAD_LIMIT: '2MB' }), /DSTACK_SERVER_CODE_UPLOAD_LIMIT="2MB" is not a number of bytes/);
  });

  it('refuses an oversized upload, listing the largest files and how to exclude them', async () => {
    const plan = await planUpload(bigRepo());
    let err: unknown;
    try { checkUploadLimit(plan, DEFAULT_UPLOAD_LIMIT); } catch (e) { err = e; }
    assert.ok(err instanceof UploadError && err.code === 'too_large');
    const lines = err.message.split('\n');
    assert.match(lines[0]!, /^The code upload from .* is 3\.6 MiB, which exceeds the limit of 2\.0 MiB\.$/);
    assert.match(lines[2]!, /^ {2}model\/weights\.bin +3\.0 MiB$/);
    assert.match(lines[3]!, /^ {2}data\/train\.csv +600 KiB$/);
    assert.match(err.message, /\.gitignore or \.dstackignore/);
    assert.match(err.message, /DSTACK_SERVER_CODE_UPLOAD_LIMIT=<bytes> \(0 disables it\)/);
    assert.match(err.message, /--no-repo/);
  });

  it('passes under the limit or with the limit disabled', async () => {
    const plan = await planUpload(bigRepo());
    checkUploadLimit(plan, 0);
    checkUploadLimit(plan, 8 * 1024 * 1024);
  });

  it('previews files, size and exclusions for the UI', async () => {
    const preview = uploadPreview(await planUpload(bigRepo()), DEFAULT_UPLOAD_LIMIT);
    assert.equal(preview.source, 'git');
    assert.equal(preview.fileCount, 4);
    assert.equal(preview.overLimit, true);
    assert.equal(preview.archiveSizeText, '3.6 MiB');
    assert.deepEqual(preview.excluded.map((x) => [x.path, x.reason]), [['notes.log', 'gitignore']]);
    assert.deepEqual(preview.excludedCounts, { gitignore: 1 });
    assert.equal(preview.largest[0]?.path, 'model/weights.bin');
    assert.doesNotThrow(() => JSON.stringify(preview));
  });
});
