// package.json and the code agree: command ids, menus and the file-name rule in `when` clauses.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../../src/vscode/commands/ids';
import { isDstackFile } from '../../src/vscode/dstack-files';
import { EXTENSION_ID } from './helpers';

interface MenuItem { command: string; when?: string }
interface Manifest {
  contributes: { commands: { command: string; title: string }[]; menus: Record<string, MenuItem[]> };
}

function manifest(): Manifest {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  return ext.packageJSON as Manifest;
}

/** The regex of a `resourceFilename =~ /.../` clause. */
function filenameRegex(when: string): RegExp {
  const match = /resourceFilename =~ \/(.+)\/$/.exec(when);
  assert.ok(match?.[1], `when clause without a resourceFilename regex: ${when}`);
  return new RegExp(match[1]);
}

suite('manifest', () => {
  test('contributes.commands lists exactly the ids the code registers', () => {
    assert.deepEqual(manifest().contributes.commands.map((c) => c.command), [...COMMAND_IDS]);
  });

  test('"dstack.apply" is titled "dstack: Apply"', () => {
    assert.equal(manifest().contributes.commands.find((c) => c.command === 'dstack.apply')?.title, 'dstack: Apply');
  });

  test('every menu entry names a contributed command', () => {
    for (const [menu, items] of Object.entries(manifest().contributes.menus)) {
      for (const item of items) assert.ok((COMMAND_IDS as readonly string[]).includes(item.command), `${menu}: ${item.command}`);
    }
  });

  test('explorer and editor-title menus show Apply exactly for dstack files', () => {
    const names = ['train.dstack.yml', 'a.b.dstack.yaml', '.dstack.yml', 'other.yml', 'dstack.yml', 'x.dstack.yml.bak', 'notdstack.yml'];
    for (const menu of ['explorer/context', 'editor/title']) {
      const item = manifest().contributes.menus[menu]?.find((i) => i.command === 'dstack.apply');
      assert.ok(item?.when, `${menu} has dstack.apply with a when clause`);
      const regex = filenameRegex(item.when);
      for (const name of names) assert.equal(regex.test(name), isDstackFile(name), `${menu} when clause vs code for ${name}`);
    }
  });
});
