// "dstack: Apply" validates the file; invalid files and non-dev-environments provision nothing.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ApplyOutcome } from '../../src/vscode/commands/apply';
import { activatedApi, dstackDiagnostics, fixture } from './helpers';

function apply(uri?: vscode.Uri): Thenable<ApplyOutcome> {
  return vscode.commands.executeCommand<ApplyOutcome>('dstack.apply', uri);
}

suite('dstack: Apply', () => {
  suiteSetup(async () => { await activatedApi(); });

  test('a valid .dstack.yml task that is not open in an editor: read from disk, refused as not a dev environment', async () => {
    const uri = fixture('serve/.dstack.yml');
    assert.equal(vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()), false);
    const outcome = await apply(uri);
    assert.equal(outcome.status, 'unsupported', outcome.message);
    assert.ok(outcome.status === 'unsupported');
    assert.match(outcome.summary, /^task "serve"/);
  });

  test('an invalid file: not applied, problems published and counted', async () => {
    const uri = fixture('broken.dstack.yml');
    const outcome = await apply(uri);
    assert.equal(outcome.status, 'invalid', outcome.message);
    assert.ok(outcome.status === 'invalid');
    assert.ok(outcome.problems >= 1);
    assert.match(outcome.message, /broken\.dstack\.yml has \d+ problem\(s\) and was not applied/);
    assert.ok(dstackDiagnostics(uri).length >= outcome.problems, 'the problems are in the Problems panel');
  });

  test('a file that is not a dstack configuration is refused', async () => {
    const outcome = await apply(fixture('other.yml'));
    assert.equal(outcome.status, 'no-file');
  });

  test('from the palette it applies the active editor\'s file', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(fixture('serve/.dstack.yml')));
    const outcome = await apply();
    assert.equal(outcome.status, 'unsupported', outcome.message);
    assert.ok(outcome.status === 'unsupported');
    assert.match(outcome.file, /\.dstack\.yml$/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
