// "dstack: Apply" validates the file; invalid files and non-dev-environments provision nothing. It plans the code
// upload before anything is provisioned: over the limit is an error, and a local run gets the repo's files.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LocalBackend } from '../../src/backends/local/local-backend';
import type { ApplyOutcome } from '../../src/vscode/commands/apply';
import { openDstackIgnore } from '../../src/vscode/commands/apply-upload';
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

suite('dstack: Apply uploads the code', () => {
  suiteSetup(async () => { await activatedApi(); });

  /** Writes `files` into a fresh folder of the workspace; returns the folder's URI. */
  async function folder(name: string, files: Record<string, string>): Promise<vscode.Uri> {
    const dir = fixture(name);
    for (const [rel, text] of Object.entries(files)) await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, rel), new TextEncoder().encode(text));
    return dir;
  }

  const LOCAL_CONFIG = ['type: dev-environment', 'ide: vscode', 'regions: [local]', 'resources:', '  cpu: 1..', '  memory: 1GB..', '  disk: 1GB..'];

  test('a repo over the upload limit: the error names the largest files, nothing is planned or provisioned; the action creates .dstackignore', async () => {
    const api = await activatedApi();
    const dir = await folder('upload-big', { 'big.dstack.yml': [...LOCAL_CONFIG, 'name: big-vsc', ''].join('\n'), 'weights.bin': 'w'.repeat(10_000), 'app.py': 'print(1)\n' });
    const before = (await api.experience.host.refresh()).runs.length;
    const planBefore = api.experience.offers.currentPlan?.id;
    const saved = process.env['DSTACK_SERVER_CODE_UPLOAD_LIMIT'];
    process.env['DSTACK_SERVER_CODE_UPLOAD_LIMIT'] = '4096';
    let outcome: ApplyOutcome;
    try {
      outcome = await api.apply(vscode.Uri.joinPath(dir, 'big.dstack.yml'), { offerIndex: 0 });
    } finally {
      if (saved === undefined) delete process.env['DSTACK_SERVER_CODE_UPLOAD_LIMIT'];
      else process.env['DSTACK_SERVER_CODE_UPLOAD_LIMIT'] = saved;
    }
    assert.equal(outcome.status, 'upload-error', outcome.message);
    assert.match(outcome.message, /exceeds the limit of 4\.0 KiB/);
    assert.match(outcome.message, /Largest files:\n\s+weights\.bin\s+9\.8 KiB/);
    assert.match(outcome.message, /\.dstackignore/);
    assert.equal((await api.experience.host.refresh()).runs.length, before, 'nothing was submitted');
    assert.equal(api.experience.offers.currentPlan?.id, planBefore, 'no plan was shown');
    const editor = await openDstackIgnore(dir.fsPath);
    assert.equal(editor.document.uri.fsPath, vscode.Uri.joinPath(dir, '.dstackignore').fsPath);
    assert.match(editor.document.getText(), /^# Paths left out of the dstack code upload/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('a local run applied from VS Code gets the repo\'s files in its working dir; the plan showed the upload', async () => {
    const api = await activatedApi();
    const config = vscode.workspace.getConfiguration('dstack');
    await config.update('preinstallVsCodeServer', false, vscode.ConfigurationTarget.Global);
    const dir = await folder('upload-local', {
      'local.dstack.yml': [...LOCAL_CONFIG, 'name: local-upload-vsc', 'init:', '  - cat app.py > init-saw.txt', ''].join('\n'),
      'app.py': 'print("from the repo")\n', 'data/rows.csv': 'a,b\n', '.dstackignore': 'scratch/\n', 'scratch/tmp.txt': 'left out\n',
    });
    try {
      const outcome = await api.apply(vscode.Uri.joinPath(dir, 'local.dstack.yml'), { offerIndex: 0 });
      assert.equal(outcome.status, 'running', outcome.message);
      assert.match(api.experience.offers.currentPlan?.upload?.summary ?? '', /^Code upload: 4 files, .* \(limit 2\.0 MiB\) from .*upload-local; left out: 1 by \.dstackignore$/);
      const state = await api.experience.host.refresh();
      const run = state.runs.find((r) => r.name === 'local-upload-vsc' && r.status === 'running');
      assert.ok(run?.instanceId, 'the run is running on an instance');
      const local = api.experience.host.runtime.backends.get('local') as LocalBackend;
      const workdir = vscode.Uri.file(path.join(local.instanceDir(run.instanceId), 'home', 'workflow'));
      const read = async (rel: string): Promise<string> => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(workdir, rel)));
      assert.equal(await read('app.py'), 'print("from the repo")\n');
      assert.equal(await read('data/rows.csv'), 'a,b\n');
      assert.equal(await read('init-saw.txt'), 'print("from the repo")\n', 'init ran on the uploaded code');
      await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.joinPath(workdir, 'scratch'))), 'left out by .dstackignore');
      const archive = run.spec.codeArchive ?? assert.fail('the run carries its code archive');
      await vscode.commands.executeCommand('dstack.stop', 'local-upload-vsc');
      await api.experience.host.waitFor((s) => s.runs.filter((r) => r.name === 'local-upload-vsc').every((r) => r.status === 'terminated'));
      await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.file(archive))), 'the archive went with the run');
    } finally {
      await config.update('preinstallVsCodeServer', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
