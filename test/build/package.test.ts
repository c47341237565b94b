// `npm run package` makes a .vsix holding only what the extension needs at run time.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configurationSchemaText } from '../../src/schema';
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

  it('its yamlValidation gives every dstack file name the schema, from a file the .vsix holds (redhat.vscode-yaml reads it there)', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { yamlValidation: { fileMatch: string[]; url: string }[] } };
    const contributions = manifest.contributes.yamlValidation;
    assert.equal(contributions.length, 1);
    const { fileMatch, url } = contributions[0]!;
    for (const pattern of ['*.dstack.yml', '*.dstack.yaml', '.dstack.yml']) assert.ok(fileMatch.includes(pattern), `fileMatch has ${pattern}: ${fileMatch.join(', ')}`);
    assert.match(url, /^\.\//, 'a path relative to the extension folder, not a web address');
    const entry = `extension/${path.posix.normalize(url)}`;
    assert.ok(entries.includes(entry), `${entry} is in the .vsix: ${entries.filter((e) => e.includes('schema')).join(', ')}`);
    assert.equal(fs.readFileSync(path.join(ROOT, url), 'utf8'), configurationSchemaText(), 'the packaged schema is the current one');
  });

  it('its manifest starts the bundled extension', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string };
    assert.equal(manifest.main, './dist/extension.js');
    assert.ok(entries.includes(`extension/${manifest.main.replace(/^\.\//, '')}`));
  });
});
