// Diagnostics of the language core reach the Problems panel (vscode.languages.getDiagnostics).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedApi, diagnosticsWhen, dstackDiagnostics, fixture } from './helpers';

suite('diagnostics', () => {
  suiteSetup(async () => { await activatedApi(); });
  teardown(async () => { await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor'); });

  test('a broken .dstack.yml shows its problems, each on the offending node', async () => {
    const uri = fixture('broken.dstack.yml');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const diagnostics = await diagnosticsWhen(uri, (d) => d.length > 0);
    for (const d of diagnostics) {
      assert.equal(d.source, 'dstack');
      assert.ok(d.code, `diagnostic has a code: ${d.message}`);
      assert.ok(d.range.end.line < doc.lineCount, `range inside the document: ${d.message}`);
      assert.equal(doc.validateRange(d.range).isEqual(d.range), true, `range is valid: ${d.message}`);
    }
    assert.ok(diagnostics.some((d) => d.severity === vscode.DiagnosticSeverity.Error), 'at least one error');
    const gpuLine = doc.getText().split('\n').findIndex((l) => l.includes('banana'));
    const gpu = diagnostics.find((d) => d.range.start.line === gpuLine);
    assert.ok(gpu, `a problem on line ${gpuLine + 1} (gpu: 24GB..banana); got ${diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`).join(' | ')}`);
    assert.match(gpu.message + (gpu.relatedInformation ?? []).map((r) => r.message).join(' '), /gpu/);
  });

  test('a valid .dstack.yml has no problems', async () => {
    const api = await activatedApi();
    const uri = fixture('train.dstack.yml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const result = await api.validate(uri);
    assert.deepEqual(result.diagnostics.map((d) => d.message), []);
    assert.deepEqual(dstackDiagnostics(uri), []);
  });

  test('a plain .yml with the same mistakes gets no dstack problems', async () => {
    const other = fixture('other.yml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(other));
    const broken = fixture('broken.dstack.yml');
    await vscode.workspace.openTextDocument(broken);
    await diagnosticsWhen(broken, (d) => d.length > 0);
    assert.deepEqual(dstackDiagnostics(other), []);
  });

  test('editing revalidates: a new mistake appears, fixing it removes it', async () => {
    const uri = fixture('train.dstack.yml');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await diagnosticsWhen(uri, (d) => d.length === 0);
    const end = new vscode.Position(editor.document.lineCount, 0);
    assert.ok(await editor.edit((e) => e.insert(end, 'max_duration: forever-and-a-day\n')));
    const broken = await diagnosticsWhen(uri, (d) => d.length > 0);
    assert.ok(broken.some((d) => /max_duration/.test(d.message + (d.relatedInformation ?? []).map((r) => r.message).join(' '))),
      `a problem names max_duration; got ${broken.map((d) => d.message).join(' | ')}`);
    await vscode.commands.executeCommand('undo');
    await diagnosticsWhen(uri, (d) => d.length === 0);
  });
});
