// The README's main command applies examples/dev.dstack.yml, which uploads this repository: its upload must stay
// under dstack's default 2 MiB limit (.dstackignore keeps the tests and generated files out), or the command fails.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { DEFAULT_UPLOAD_LIMIT, checkUploadLimit, formatBytes } from '../../src/backends/ssh/upload/limit';
import { planUpload } from '../../src/backends/ssh/upload/plan';

const ROOT = path.resolve(__dirname, '..', '..');

describe("the README's main command", () => {
  it('uploads this repository within the default limit, with a margin for growth', async () => {
    const plan = await planUpload(ROOT);
    assert.equal(plan.source, 'git');
    assert.doesNotThrow(() => checkUploadLimit(plan, DEFAULT_UPLOAD_LIMIT));
    // A quarter of the limit spare, so the next few features don't break the main command on the day they land.
    assert.ok(plan.archiveSize <= DEFAULT_UPLOAD_LIMIT * 0.75, `the upload is ${formatBytes(plan.archiveSize)}: extend .dstackignore`);
    assert.ok(plan.entries.some((e) => e.path === 'examples/dev.dstack.yml'), 'the example itself is uploaded');
    assert.ok(!plan.entries.some((e) => e.path.startsWith('test/')), '.dstackignore leaves the tests out');
  });
});
