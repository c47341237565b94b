// The Remote-SSH opener: the URI it opens (vscode.openFolder intercepted) and the settings it writes,
// keeping comments and every other setting of settings.json.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { parse } from 'jsonc-parser/lib/esm/main.js';
import { openRemoteFolder } from '../../src/vscode/remote-ssh';
import { remoteFolderUri, SettingsFileError, withRemotePlatform } from '../../src/vscode/remote-ssh-settings';
import { attachedRunName } from '../../src/vscode/experience';

const USER_SETTINGS = `// my settings
{
    "editor.fontSize": 14, // big
    "remote.SSH.remotePlatform": { "other-host": "macOS" },
}
`;

suite('remote-ssh', () => {
  test('the folder URI names the run as the ssh-remote authority', () => {
    assert.equal(remoteFolderUri('dev-vsc', '/root/workflow'), 'vscode-remote://ssh-remote+dev-vsc/root/workflow');
    assert.equal(remoteFolderUri('a.b_c', '/home/u/my dir'), 'vscode-remote://ssh-remote+a.b_c/home/u/my%20dir');
    assert.throws(() => remoteFolderUri('bad host', '/x'), /ssh host alias 'bad host'/);
  });

  test('remotePlatform is added for the host; comments, trailing commas and other settings are kept', () => {
    const next = withRemotePlatform(USER_SETTINGS, 'settings.json', 'dev-vsc', 'linux');
    assert.match(next, /\/\/ my settings/);
    assert.match(next, /\/\/ big/);
    const parsed = parse(next, [], { allowTrailingComma: true }) as Record<string, unknown>;
    assert.equal(parsed['editor.fontSize'], 14);
    assert.deepEqual(parsed['remote.SSH.remotePlatform'], { 'other-host': 'macOS', 'dev-vsc': 'linux' });
    assert.equal(withRemotePlatform(next, 'settings.json', 'dev-vsc', 'linux'), next, 'already set: unchanged');
    assert.deepEqual(parse(withRemotePlatform('', 's.json', 'h', 'linux')), { 'remote.SSH.remotePlatform': { h: 'linux' } });
    assert.throws(() => withRemotePlatform('[1, 2]', 'settings.json', 'h', 'linux'), SettingsFileError);
    assert.throws(() => withRemotePlatform('{ "a": ', 'settings.json', 'h', 'linux'), /settings\.json: not a JSON object/);
  });

  test('opening writes settings.json atomically and calls openFolder with the remote URI in a new window', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dstack-remote-'));
    const file = path.join(dir, 'settings.json');
    fs.writeFileSync(file, USER_SETTINGS, { mode: 0o644 });
    const opened: [vscode.Uri, unknown][] = [];
    const uri = await openRemoteFolder(file, 'dev-vsc', '/root/workflow', async (u, options) => { opened.push([u, options]); });
    assert.deepEqual(opened.map(([u, options]) => [u.toString(), options]), [['vscode-remote://ssh-remote%2Bdev-vsc/root/workflow', { forceNewWindow: true }]]);
    assert.equal(uri.authority, 'ssh-remote+dev-vsc');
    assert.equal(uri.path, '/root/workflow');
    const written = parse(fs.readFileSync(file, 'utf8'), [], { allowTrailingComma: true }) as Record<string, unknown>;
    assert.deepEqual(written['remote.SSH.remotePlatform'], { 'other-host': 'macOS', 'dev-vsc': 'linux' });
    assert.equal(fs.statSync(file).mode & 0o777, 0o644, 'the file mode is kept');
    assert.deepEqual(fs.readdirSync(dir), ['settings.json'], 'no temp file left behind');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a window opened on ssh-remote+<run> is attached to that run', async () => {
    const vscodeApi = await import('vscode');
    const folder = (u: string): vscode.WorkspaceFolder => ({ uri: vscodeApi.Uri.parse(u), name: 'w', index: 0 });
    assert.equal(attachedRunName([folder('vscode-remote://ssh-remote+dev-vsc/root/workflow')]), 'dev-vsc');
    assert.equal(attachedRunName([folder('file:///tmp/x')]), null);
    assert.equal(attachedRunName(undefined), null);
  });
});
