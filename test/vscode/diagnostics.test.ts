// Diagnostics of the language core reach the Problems panel (vscode.languages.getDiagnostics).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CHANGE_DEBOUNCE_MS } from '../../src/vscode/diagnostics';
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

  test('quick edits are validated once, with the final text, after the debounce window', async () => {
    const api = await activatedApi();
    const uri = fixture('train.dstack.yml');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await diagnosticsWhen(uri, (d) => d.length === 0);
    const validated: string[] = [];
    const changedAt: number[] = [];
    const subs = [
      api.experience.diagnostics.onDidValidate((v) => { if (v.uri.toString() === uri.toString()) validated.push(v.text); }),
      vscode.workspace.onDidChangeTextDocument((e) => { if (e.document.uri.toString() === uri.toString() && e.contentChanges.length > 0) changedAt.push(Date.now()); }),
    ];
    const firstValidation = new Promise<void>((resolve) => {
      const sub = api.experience.diagnostics.onDidValidate((v) => {
        if (v.uri.toString() !== uri.toString()) return;
        sub.dispose();
        resolve();
      });
    });
    try {
      const N = 8;
      // A burst of keystrokes: each edit its own change event, one right after the other (one at a time: VS Code
      // 1.139 refuses an edit applied while another to the same document is in flight).
      const applied: boolean[] = [];
      for (let i = 0; i < N; i++) {
        const edit = new vscode.WorkspaceEdit();
        edit.insert(uri, new vscode.Position(0, 0), `# edit ${i}\n`);
        applied.push(await vscode.workspace.applyEdit(edit));
      }
      assert.deepEqual(applied, applied.map(() => true));
      assert.equal(changedAt.length, N);
      const gaps = changedAt.slice(1).map((t, i) => t - (changedAt[i] as number));
      assert.ok(gaps.every((g) => g < CHANGE_DEBOUNCE_MS), `the edits came within the debounce window of each other (gaps ${gaps.join(', ')} ms)`);
      assert.deepEqual(validated, [], 'nothing is validated while typing');
      await firstValidation;
      // Another debounce window (and more) with no edits: a second validation would have come by now.
      await new Promise((r) => setTimeout(r, 2 * CHANGE_DEBOUNCE_MS));
      assert.equal(validated.length, 1, `${N} quick edits validated ${validated.length} times`);
      assert.equal(validated[0], editor.document.getText(), 'the one validation saw every edit');
      assert.match(validated[0] as string, /^# edit 7\n# edit 6\n/);
    } finally {
      for (const s of subs) s.dispose();
    }
  });
});
