// "dstack: Apply" validates the file and reports what would be applied (until the orchestrator exists).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ApplyOutcome } from '../../src/vscode/commands/apply';
import { activatedApi, dstackDiagnostics, fixture } from './helpers';

function apply(uri?: vscode.Uri): Thenable<ApplyOutcome> {
  return vscode.commands.executeCommand<ApplyOutcome>('dstack.apply', uri);
}

suite('dstack: Apply', () => {
  suiteSetup(async () => { await activatedApi(); });

  test('a valid dev environment: says what would be applied', async () => {
    const outcome = await apply(fixture('train.dstack.yml'));
    assert.equal(outcome.status, 'valid', outcome.message);
    assert.ok(outcome.status === 'valid');
    assert.match(outcome.summary, /^dev-environment "train"/);
    assert.match(outcome.summary, /gpu/);
    assert.match(outcome.message, /train\.dstack\.yml is valid/);
  });

  test('a valid .dstack.yml task that is not open in an editor', async () => {
    const uri = fixture('serve/.dstack.yml');
    assert.equal(vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()), false);
    const outcome = await apply(uri);
    assert.equal(outcome.status, 'valid', outcome.message);
    assert.ok(outcome.status === 'valid');
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
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(fixture('train.dstack.yml')));
    const outcome = await apply();
    assert.equal(outcome.status, 'valid', outcome.message);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
