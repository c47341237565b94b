// The extension activates in a real extension host and exports its API; a failing activation is shown and
// rethrown; deactivation hands the scheduler's lease over at once.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { closeBackends } from '../../src/orchestrator/backends-registry';
import { openRuntime } from '../../src/orchestrator/runtime';
import { activate } from '../../src/vscode/activate';
import { COMMAND_IDS } from '../../src/vscode/commands/ids';
import { activatedApi, eventually, EXTENSION_ID } from './helpers';

suite('activation', () => {
  test('the extension activates and exports its API', async () => {
    const api = await activatedApi();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    assert.deepEqual([...api.commandIds], [...COMMAND_IDS]);
    console.log(`      VS Code ${vscode.version}, appHost ${vscode.env.appHost}, node ${process.version}`);
  });

  test('activation events cover *.dstack.yml, *.dstack.yaml, .dstack.yml, YAML documents and a window opened on ssh-remote+<run>', () => {
    const events: string[] = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.activationEvents;
    for (const event of ['workspaceContains:**/*.dstack.yml', 'workspaceContains:**/*.dstack.yaml',
      'workspaceContains:**/.dstack.yml', 'onLanguage:yaml', 'onResolveRemoteAuthority:ssh-remote']) {
      assert.ok(events.includes(event), `package.json activationEvents lacks ${event}`);
    }
  });

  test('every contributed command is registered with VS Code', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of COMMAND_IDS) assert.ok(registered.has(id), `${id} is not registered`);
  });

  test('a failing activation is shown to the user with its reason and rethrown, not swallowed', () => {
    const shown: { message: string; items: unknown[] }[] = [];
    const window = vscode.window as { showErrorMessage: unknown };
    const real = window.showErrorMessage;
    window.showErrorMessage = (message: string, ...items: unknown[]) => {
      shown.push({ message, items });
      return Promise.resolve(undefined);
    };
    // A context whose storage fails after the log channel is registered (everything else it is handed is disposed).
    const kept: vscode.Disposable[] = [];
    const subscriptions = {
      push(...items: vscode.Disposable[]): number {
        if (kept.length > 0) {
          for (const d of items) d.dispose();
          throw new Error('extension storage is unavailable');
        }
        return kept.push(...items);
      },
    };
    try {
      assert.throws(() => activate({ subscriptions } as unknown as vscode.ExtensionContext), /extension storage is unavailable/);
    } finally {
      window.showErrorMessage = real;
      for (const d of kept) d.dispose();
    }
    assert.deepEqual(shown, [{ message: 'dstack: the extension failed to start: extension storage is unavailable', items: ['Show logs', 'Open settings'] }]);
  });

  test('deactivate returns the lease hand-over (VS Code awaits it): another process leads at once, not after the lease expires', async () => {
    const api = await activatedApi();
    const host = api.experience.host;
    await eventually('the extension host leads (no other process on this state dir)', () => host.runtime.leader.isLeader);
    // The module VS Code loaded (dist/extension.js), whose deactivate VS Code calls on window close or reload.
    const extensionPath = vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath ?? assert.fail('no extension path');
    const loaded = require(path.join(extensionPath, 'dist', 'extension.js')) as { deactivate(): unknown };
    const other = openRuntime(process.env);
    try {
      await other.leader.step(true);
      assert.equal(other.leader.isLeader, false, 'the lease is held by the extension host');
      const handOver = loaded.deactivate();
      assert.ok(handOver instanceof Promise, 'deactivate returns a promise, which VS Code awaits before the window goes');
      await handOver;
      assert.equal(host.runtime.leader.isLeader, false);
      await other.leader.step(true);
      assert.equal(other.leader.isLeader, true, 'the other process took the lease at once');
    } finally {
      await other.leader.stop();
      await closeBackends(other.backends);
      host.runtime.leader.start();
    }
    await eventually('the extension host leads again', () => host.runtime.leader.isLeader);
  });
});
