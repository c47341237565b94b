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
    assert.ok(node, `the tree lists dev-vsc; got ${roots.map((n) => (n.kind === 'run' ? n.run.name : n.kind)).join(', ')}`);
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

  test('an instance left without a run (kept idle by idle_duration) is listed with its status, backend, price and idle time, and Terminate ends it', async () => {
    const api = await activatedApi();
    const runs = api.experience.runs;
    const source = fixture('dev.dstack.yml');
    const file = vscode.Uri.joinPath(source, '..', 'idle.dstack.yml');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(source));
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(text.replace(/^name: dev-vsc$/m, 'name: idle-vsc').replace(/^idle_duration: 0$/m, 'idle_duration: 1h')));
    try {
      const outcome = await api.apply(file, { offerIndex: 0, env: { HF_TOKEN: 'x' } });
      assert.equal(outcome.status, 'running', outcome.message);
      await runs.refresh();
      assert.ok(!(await runs.getChildren()).some((n) => n.kind === 'instances'), 'an instance a run is on is shown under its run only');
      await vscode.commands.executeCommand('dstack.stop', 'idle-vsc');
      const state = await api.experience.host.waitFor((s) => s.runs.filter((r) => r.name === 'idle-vsc').every((r) => r.status === 'terminated'));
      const run = state.runs.find((r) => r.name === 'idle-vsc');
      const inst = state.instances.find((i) => i.createdForRun === 'idle-vsc' && i.status === 'idle');
      assert.ok(run && inst, `the stopped run left its instance idle: ${JSON.stringify(state.instances.filter((i) => i.createdForRun === 'idle-vsc'))}`);
      await runs.refresh();
      const group = (await runs.getChildren()).find((n) => n.kind === 'instances');
      assert.ok(group, 'the runs view lists the instances without a run');
      assert.match(String(runs.getTreeItem(group).description), /^1 · \$0\.805\/h$/);
      const [node, ...more] = await runs.getChildren(group);
      assert.ok(node?.kind === 'instance' && more.length === 0);
      assert.equal(node.instance.id, inst.id);
      const item = runs.getTreeItem(node);
      assert.equal(item.label, 'fake g6.xlarge');
      assert.match(String(item.description), /^idle · fake \(fake-1\) · \$0\.805\/h · idle since (now|\d+ sec ago)$/);
      assert.equal(item.contextValue, 'dstackInstance.terminable');
      const details = Object.fromEntries((await runs.getChildren(node)).map((d) => (d.kind === 'detail' ? [d.label, d.value] : ['', ''])));
      assert.deepEqual(Object.keys(details), ['status', 'backend', 'resources', 'price', 'idle since', 'terminated', 'created for']);
      assert.equal(details['status'], 'idle');
      assert.equal(details['backend'], 'fake (fake-1) g6.xlarge');
      assert.equal(details['price'], '$0.805/h');
      assert.equal(details['terminated'], 'after 1h idle');
      assert.match(details['created for'] ?? '', /^idle-vsc, /);
      const done = await vscode.commands.executeCommand<{ status: string; message: string }>('dstack.terminateInstance', node);
      assert.equal(done.status, 'done', done.message);
      await runs.refresh();
      const terminating = (await runs.getChildren()).find((n) => n.kind === 'instances');
      const still = terminating ? await runs.getChildren(terminating) : [];
      if (still[0]?.kind === 'instance') assert.equal(runs.getTreeItem(still[0]).contextValue, 'dstackInstance.terminating', 'no second Terminate while it is being terminated');
      const final = await api.experience.host.waitFor((s) => s.instances.find((i) => i.id === inst.id)?.status === 'terminated');
      assert.equal(final.instances.find((i) => i.id === inst.id)?.terminationReason, 'terminated_by_user');
      await runs.refresh();
      assert.ok(!(await runs.getChildren()).some((n) => n.kind === 'instances'), 'nothing left to list once it is terminated');
    } finally {
      await vscode.workspace.fs.delete(file);
    }
  });
});
