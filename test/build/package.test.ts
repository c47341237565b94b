// `npm run package` makes a .vsix holding only what the extension needs at run time.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, run } from './temp-copy';
import { zipEntries } from './vsix-reader';

const VSIX = path.join(ROOT, 'dist/vscode-dstack.vsix');

/** What may be in the .vsix: vsce's own files, the bundles, the manifest, README, LICENSE, media, schemas. */
const ALLOWED = [
  /^extension\.vsixmanifest$/, /^\[Content_Types\]\.xml$/,
  /^extension\/package\.json$/, /^extension\/readme\.md$/, /^extension\/changelog\.md$/, /^extension\/LICENSE\.txt$/,
  /^extension\/dist\/(extension|cli|aws|kubernetes)\.js$/, /^extension\/dist\/webview\/[\w./-]+\.(js|css)$/,
  /^extension\/media\/[\w./-]+$/, /^extension\/schemas\/[\w./-]+\.json$/,
];

describe('npm run package', function () {
  this.timeout(180_000);
  let entries: string[];

  before(() => {
    fs.rmSync(VSIX, { force: true });
    const { status, output } = run(ROOT, 'npm', ['run', '--silent', 'package']);
    assert.equal(status, 0, output);
    entries = zipEntries(VSIX);
  });

  it('holds the extension and CLI bundles, the manifest and the license', () => {
    for (const needed of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/cli.js', 'extension/dist/kubernetes.js', 'extension/LICENSE.txt']) {
      assert.ok(entries.includes(needed), `${needed} missing from the .vsix: ${entries.join(', ')}`);
    }
    if (fs.existsSync(path.join(ROOT, 'README.md'))) assert.ok(entries.includes('extension/readme.md'), 'README is packaged');
    if (fs.existsSync(path.join(ROOT, 'schemas'))) assert.ok(entries.some((e) => e.startsWith('extension/schemas/')), 'schemas are packaged');
  });

  it('holds nothing else: no src, test, node_modules, source maps or build scripts', () => {
    const unexpected = entries.filter((e) => !ALLOWED.some((r) => r.test(e)));
    assert.deepEqual(unexpected, []);
    assert.deepEqual(entries.filter((e) => /(^|\/)(src|test|node_modules)\/|\.map$|\.ts$/.test(e)), []);
  });

  it('its manifest starts the bundled extension', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string };
    assert.equal(manifest.main, './dist/extension.js');
    assert.ok(entries.includes(`extension/${manifest.main.replace(/^\.\//, '')}`));
  });
});
