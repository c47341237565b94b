// Editor intelligence through the real VS Code API: completion and hover on every dstack file name (*.dstack.yml,
// *.dstack.yaml, .dstack.yml), the Apply CodeLens over the configured backends (the fake one here) and quick fixes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { FakeBackend } from '../../src/backends/fake/fake-backend';
import type { FakeFile } from '../../src/backends/fake/fake-state';
import type { Offer } from '../../src/backends/offer';
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

/** Every kind of dstack file name the selector and yamlValidation cover. */
const DSTACK_NAMES = ['editor.dstack.yml', 'editor.dstack.yaml', 'editor-dir/.dstack.yml'];

async function openFixture(name: string, text: string): Promise<vscode.TextDocument> {
  const uri = fixture(name);
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
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

/** The fake backend of the extension's runtime (the runner sets DSTACK_VSC_FAKE_BACKEND; AWS is not configured). */
function fakeBackend(): FakeBackend {
  const file = process.env['DSTACK_VSC_FAKE_BACKEND'];
  assert.ok(file, 'DSTACK_VSC_FAKE_BACKEND is set for the extension host (test/ui/extension-host.mjs)');
  return new FakeBackend(file);
}

/** A fake offer with one 48GB L40S, a GPU no other extension-host test scripts. */
function l40sOffer(instanceType: string, price: number): Offer {
  return {
    backend: 'fake', region: 'fake-1', instanceType, pricePerHour: price, availability: 'available',
    resources: { cpuArch: 'x86', cpus: 8, memoryGB: 64, diskGB: 200, gpus: [{ name: 'L40S', vendor: 'nvidia', memoryGB: 48 }], spot: false },
  };
}

/** The Apply lens title of a document once it is not "finding offers" any more (offers are listed in the background). */
async function applyLensTitle(uri: vscode.Uri): Promise<string | undefined> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const apply = lenses.filter((l) => l.command?.command === 'dstack.apply');
    assert.ok(apply.length <= 1, 'at most one Apply lens');
    const title = apply[0]?.command?.title;
    if (title === undefined || !title.includes('finding offers')) return title;
    assert.ok(Date.now() < deadline, `the offers were listed within 10 s (still: ${title})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite('language features', () => {
  suiteSetup(async () => { await activatedApi(); });
  teardown(async () => { await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor'); });

  for (const name of DSTACK_NAMES) {
    test(`completion on ${name}: resource keys after \`  dis\`, with field-table docs and a replace range over the typed word`, async () => {
      const doc = await openFixture(name, FIXTURE);
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

    test(`completion on ${name}: GPU memory sizes after \`gpu: A100:\` come from the offer catalog`, async () => {
      const doc = await openFixture(name, FIXTURE);
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, endOf(doc, '  gpu: A100:'));
      const labels = list.items.map(labelOf);
      for (const want of ['40GB', '80GB', '8']) assert.ok(labels.includes(want), `${want} offered; got ${labels.join(', ')}`);
      assert.equal(yamlExtensionActive(), false, 'redhat.vscode-yaml is not installed here, so schema items are ours too');
    });

    test(`hover on ${name}: a key shows its documentation and example; an enum value its meaning`, async () => {
      const doc = await openFixture(name, FIXTURE);
      const key = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(3, 3));
      const keyText = markdownOf(key);
      assert.match(keyText, /\*\*spot_policy\*\*/);
      assert.match(keyText, /The policy for provisioning spot or on-demand instances/);
      assert.match(keyText, /spot_policy: auto/);
      const gpu = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(7, 8));
      assert.match(markdownOf(gpu), /\*\*A100\*\*: nvidia GPU, 40GB, 80GB per GPU/);
    });
  }

  test('a plain .yml with the same text gets no dstack completion or hover', async () => {
    const doc = await openFixture('editor-plain.yml', FIXTURE);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, endOf(doc, '  gpu: A100:'));
    const labels = list.items.map(labelOf);
    assert.ok(!labels.includes('40GB') && !labels.includes('80GB'), `no catalog sizes; got ${labels.join(', ')}`);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(3, 3));
    assert.doesNotMatch(markdownOf(hovers), /spot_policy/);
  });

  test('CodeLens: the cheapest offer of the configured backends (the fake one; AWS is off), running dstack.apply on the file', async () => {
    const fake = fakeBackend();
    const before = fs.existsSync(fake.file) ? (JSON.parse(fs.readFileSync(fake.file, 'utf8')) as FakeFile).script.offers : [];
    await fake.script({ offers: [...before, l40sOffer('fake.l40s.big', 2.5), l40sOffer('fake.l40s.small', 1.25)] });
    try {
      for (const name of ['lens.dstack.yml', 'lens.dstack.yaml']) {
        const doc = await openFixture(name, 'type: dev-environment\nide: vscode\nresources:\n  gpu: L40S\n');
        assert.equal(await applyLensTitle(doc.uri), 'Apply · cheapest $1.25/h 1xL40S on fake · 2 offers', name);
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
        const apply = lenses.find((l) => l.command?.command === 'dstack.apply');
        assert.equal(apply?.range.start.line, 0);
        assert.equal(String(apply?.command?.arguments?.[0]), doc.uri.toString());
      }
    } finally {
      await fake.script({ offers: before });
    }
  });

  test('CodeLens: nothing matches says so (no cloud catalog stands in for an unconfigured backend); no lens on a task', async () => {
    const doc = await openFixture('lens-none.dstack.yml', 'type: dev-environment\nide: vscode\nresources:\n  gpu: H100:8\n');
    assert.equal(await applyLensTitle(doc.uri), 'Apply · no matching offers');
    const task = await openFixture('lens-task.dstack.yml', 'type: task\ncommands: [echo]\n');
    assert.equal(await applyLensTitle(task.uri), undefined, 'no lens on a task');
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
