// The view providers: the offers webview resolves and answers the ready handshake; the runs tree lists runs.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ApplyOutcome } from '../../src/vscode/commands/apply';
import { followedRun } from '../../src/vscode/status-bar';
import { activatedApi, fixture } from './helpers';

suite('views', () => {
  test('the offers webview resolves and completes the ready handshake', async () => {
    const api = await activatedApi();
    const offers = api.experience.offers;
    const ready = offers.isReady ? Promise.resolve() : new Promise<void>((resolve) => { const d = offers.onDidBecomeReady(() => { d.dispose(); resolve(); }); });
    await vscode.commands.executeCommand('dstack.showOffers');
    await ready;
    assert.equal(offers.isReady, true);
  });

  test('the runs tree lists an applied run with its details; the status bar follows it', async () => {
    const api = await activatedApi();
    const outcome = await api.apply(fixture('dev.dstack.yml'), { offerIndex: 0, env: { HF_TOKEN: 'x' } });
    assert.equal(outcome.status, 'running', (outcome as ApplyOutcome).message);
    await api.experience.runs.refresh();
    const roots = await api.experience.runs.getChildren();
    const node = roots.find((n) => n.kind === 'run' && n.run.name === 'dev-vsc' && n.run.status === 'running');
    assert.ok(node, `the tree lists dev-vsc; got ${roots.map((n) => (n.kind === 'run' ? n.run.name : n.label)).join(', ')}`);
    const item = api.experience.runs.getTreeItem(node);
    assert.equal(item.label, 'dev-vsc');
    assert.match(String(item.description), /running/);
    assert.equal(item.contextValue, 'dstackRun.running');
    const details = await api.experience.runs.getChildren(node);
    assert.deepEqual(details.map((d) => (d.kind === 'detail' ? d.label : '')), ['status', 'backend', 'resources', 'price', 'submitted', 'inactive for', 'ssh']);
    assert.equal(followedRun(await api.experience.host.state(), null)?.name, 'dev-vsc');
    // "Open in VS Code" from the run's context menu: the remote URI, and remotePlatform written to settings.json.
    const ctx = api.experience;
    const saved = { openFolder: ctx.openFolder, settingsFile: ctx.settingsFile };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dstack-open-'));
    const opened: string[] = [];
    ctx.openFolder = async (uri, options) => { opened.push(`${uri.toString(true)} ${JSON.stringify(options)}`); };
    ctx.settingsFile = path.join(dir, 'settings.json');
    try {
      const result = await vscode.commands.executeCommand<{ status: string; uri?: string }>('dstack.openInVsCode', node);
      assert.equal(result.status, 'done');
      assert.equal(opened.length, 1);
      assert.match(opened[0] ?? '', /^vscode-remote:\/\/ssh-remote\+dev-vsc\/.+\/workflow \{"forceNewWindow":true\}$/);
      assert.deepEqual(JSON.parse(fs.readFileSync(ctx.settingsFile, 'utf8')), { 'remote.SSH.remotePlatform': { 'dev-vsc': 'linux' } });
    } finally {
      Object.assign(ctx, saved);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    await vscode.commands.executeCommand('dstack.abort', 'dev-vsc');
    await api.experience.host.waitFor((s) => s.runs.filter((r) => r.name === 'dev-vsc').every((r) => r.status === 'terminated'));
  });
});
