// The extension activates in a real extension host and exports its API.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../../src/vscode/commands/ids';
import { activatedApi, EXTENSION_ID } from './helpers';

suite('activation', () => {
  test('the extension activates and exports its API', async () => {
    const api = await activatedApi();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    assert.deepEqual([...api.commandIds], [...COMMAND_IDS]);
    console.log(`      VS Code ${vscode.version}, appHost ${vscode.env.appHost}, node ${process.version}`);
  });

  test('activation events cover *.dstack.yml, *.dstack.yaml, .dstack.yml and YAML documents', () => {
    const events: string[] = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.activationEvents;
    for (const event of ['workspaceContains:**/*.dstack.yml', 'workspaceContains:**/*.dstack.yaml',
      'workspaceContains:**/.dstack.yml', 'onLanguage:yaml']) {
      assert.ok(events.includes(event), `package.json activationEvents lacks ${event}`);
    }
  });

  test('every contributed command is registered with VS Code', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of COMMAND_IDS) assert.ok(registered.has(id), `${id} is not registered`);
  });
});
