// Editor intelligence through the real VS Code API: completion, hover, CodeLens and quick fixes on a .dstack.yml.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { yamlExtensionActive } from '../../src/vscode/language/completion-provider';
import { activatedApi, diagnosticsWhen, fixture } from './helpers';

const FIXTURE = [
  'type: dev-environment',
  'name: editor',
  'ide: vscode',
  'spot_policy: auto',
  'env:',
  '  - HF_TOKEN',
  'resources:',
  '  gpu: A100:',
  '  dis',
  '',
].join('\n');

async function openFixture(name: string, text: string): Promise<vscode.TextDocument> {
  const uri = fixture(name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  return doc;
}

function endOf(doc: vscode.TextDocument, lineText: string): vscode.Position {
  const line = doc.getText().split('\n').indexOf(lineText);
  assert.ok(line >= 0, `fixture line ${JSON.stringify(lineText)}`);
  return new vscode.Position(line, lineText.length);
}

function labelOf(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

function markdownOf(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

suite('language features', () => {
  suiteSetup(async () => { await activatedApi(); });
  teardown(async () => { await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor'); });

  test('completion: resource keys after `  dis`, with field-table docs and a replace range over the typed word', async () => {
    const doc = await openFixture('editor.dstack.yml', FIXTURE);
    const position = endOf(doc, '  dis');
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, position);
    const disk = list.items.find((i) => labelOf(i) === 'disk' && i.detail === 'disk');
    assert.ok(disk, `disk offered; got ${list.items.map(labelOf).join(', ')}`);
    const doc1 = disk.documentation;
    assert.ok(doc1 instanceof vscode.MarkdownString || typeof doc1 === 'string');
    assert.match(typeof doc1 === 'string' ? doc1 : doc1.value, /The disk size/);
    const range = disk.range instanceof vscode.Range ? disk.range : disk.range?.replacing;
    assert.ok(range);
    assert.equal(doc.getText(range), 'dis');
    for (const present of ['gpu']) assert.ok(!list.items.some((i) => labelOf(i) === present && i.kind === vscode.CompletionItemKind.Property), `${present} is already present`);
  });

  test('completion: GPU memory sizes after `gpu: A100:` come from the offer catalog', async () => {
    const doc = await openFixture('editor.dstack.yml', FIXTURE);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, endOf(doc, '  gpu: A100:'));
    const labels = list.items.map(labelOf);
    for (const want of ['40GB', '80GB', '8']) assert.ok(labels.includes(want), `${want} offered; got ${labels.join(', ')}`);
    assert.equal(yamlExtensionActive(), false, 'redhat.vscode-yaml is not installed here, so schema items are ours too');
  });

  test('hover: a key shows its documentation and example; an enum value its meaning', async () => {
    const doc = await openFixture('editor.dstack.yml', FIXTURE);
    const key = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(3, 3));
    const keyText = markdownOf(key);
    assert.match(keyText, /\*\*spot_policy\*\*/);
    assert.match(keyText, /The policy for provisioning spot or on-demand instances/);
    assert.match(keyText, /spot_policy: auto/);
    const gpu = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(7, 8));
    assert.match(markdownOf(gpu), /\*\*A100\*\*: nvidia GPU, 40GB, 80GB per GPU/);
  });

  test('CodeLens: "Apply · cheapest $X/h <gpu> on <backend> · N offers" that runs dstack.apply on the file', async () => {
    const doc = await openFixture('lens.dstack.yml', 'type: dev-environment\nide: vscode\nresources:\n  gpu: A10G\n');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const apply = lenses.find((l) => l.command?.command === 'dstack.apply');
    assert.ok(apply?.command, `an apply lens; got ${lenses.map((l) => l.command?.title).join(' | ')}`);
    assert.match(apply.command.title, /^Apply · cheapest \$[\d.]+\/h \dxA10G on aws · \d+ offers$/);
    assert.equal(apply.range.start.line, 0);
    assert.equal(String(apply.command.arguments?.[0]), doc.uri.toString());
    const task = await openFixture('lens-task.dstack.yml', 'type: task\ncommands: [echo]\n');
    const none = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', task.uri);
    assert.equal(none.filter((l) => l.command?.command === 'dstack.apply').length, 0, 'no lens on a task');
  });

  test('quick fix: a misspelled enum value and a duration unit, applied through the real edit', async () => {
    const doc = await openFixture('fix.dstack.yml', 'type: dev-environment\nide: vscdoe\nmax_duration: 2H\n');
    const diagnostics = await diagnosticsWhen(doc.uri, (d) => d.length === 2);
    const fixes: vscode.CodeAction[] = [];
    for (const d of diagnostics) {
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
      const ours = actions.filter((a) => a.kind?.value === vscode.CodeActionKind.QuickFix.value);
      assert.equal(ours.length, 1, `one fix for ${d.message}; got ${actions.map((a) => a.title).join(' | ')}`);
      fixes.push(ours[0]!);
    }
    assert.deepEqual(fixes.map((f) => f.title).sort(), ['Change `vscdoe` to `vscode`', 'Change to `2h`']);
    for (const fix of fixes) assert.ok(fix.edit && await vscode.workspace.applyEdit(fix.edit));
    assert.equal(doc.getText(), 'type: dev-environment\nide: vscode\nmax_duration: 2h\n');
    await diagnosticsWhen(doc.uri, (d) => d.length === 0);
  });
});
