// A run applied from this window opens by itself once it is ready: `vscode.openFolder` on its Remote-SSH folder with
// forceNewWindow (the opener intercepted, as views.test.ts does), after its `ssh <run>` entry is published; with
// `dstack.openOnReady` off nothing opens and the notification offers "Open in VS Code" instead; without a Remote-SSH
// extension nothing opens and it says to install one.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { FakeBackend } from '../../src/backends/fake/fake-backend';
import type { Offer } from '../../src/backends/offer';
import type { OrchestratorState } from '../../src/orchestrator/store/state';
import { activatedApi, fixture, openedFolders } from './helpers';

const RUN = 'dev-vsc';

function offer(instanceType: string, price: number): Offer {
  return {
    backend: 'fake', region: 'fake-1', instanceType, pricePerHour: price, availability: 'available',
    resources: { cpuArch: 'x86', cpus: 4, memoryGB: 16, diskGB: 100, gpus: [{ name: 'A10G', vendor: 'nvidia', memoryGB: 24 }], spot: false },
  };
}

function finished(s: OrchestratorState): boolean {
  return s.runs.filter((r) => r.name === RUN).every((r) => r.status === 'terminated' || r.status === 'failed' || r.status === 'done');
}

async function stopAndWait(): Promise<void> {
  const api = await activatedApi();
  if (!finished(await api.experience.host.refresh())) await vscode.commands.executeCommand('dstack.abort', RUN);
  await api.experience.host.waitFor(finished);
}

suite('open on ready', () => {
  suiteSetup(async () => {
    await activatedApi();
    const file = process.env['DSTACK_VSC_FAKE_BACKEND'];
    assert.ok(file, 'DSTACK_VSC_FAKE_BACKEND is set for the extension host');
    await new FakeBackend(file).script({ offers: [offer('g5.xlarge', 1.006), offer('g6.xlarge', 0.805)], failures: {}, readyAfterMs: 0 });
  });

  teardown(stopAndWait);

  test('on (the default): the ready run opens once, in a new window, at its working dir, after `ssh <run>` is published', async () => {
    const api = await activatedApi();
    assert.equal(vscode.workspace.getConfiguration('dstack').get('openOnReady'), true, 'on by default');
    const before = openedFolders.length;
    const outcome = await api.apply(fixture('dev.dstack.yml'), { offerIndex: 0, env: { HF_TOKEN: 'x' } });
    assert.equal(outcome.status, 'running', outcome.message);
    assert.ok(outcome.status === 'running');
    const opened = openedFolders.slice(before);
    assert.equal(opened.length, 1, JSON.stringify(opened));
    assert.deepEqual(opened[0]?.options, { forceNewWindow: true }, 'a new window: the applying window keeps its workspace');
    assert.equal(opened[0]?.uri, `vscode-remote://ssh-remote+${RUN}/root/workflow`, 'the run\'s host alias and working dir (the fake reports none: dstack\'s ~/workflow)');
    assert.equal(vscode.Uri.parse(outcome.opened ?? '').toString(true), opened[0]?.uri);
    assert.match(outcome.message, /; opened in a new window\.$/);
    assert.ok((await api.experience.host.runtime.ssh.access.published()).includes(RUN), 'the ssh entry Remote-SSH connects through was published first');
  });

  test('without a Remote-SSH extension (a browser workbench): nothing opens; the notification says to install it', async () => {
    const api = await activatedApi();
    const saved = api.experience.remoteSsh;
    api.experience.remoteSsh = () => false;
    try {
      const before = openedFolders.length;
      const outcome = await api.apply(fixture('dev.dstack.yml'), { offerIndex: 0, env: { HF_TOKEN: 'x' } });
      assert.equal(outcome.status, 'running', outcome.message);
      assert.ok(outcome.status === 'running');
      assert.equal(openedFolders.length, before, 'no window was opened');
      assert.equal(outcome.message, `dstack: ${RUN} is running (dev.dstack.yml); install Remote-SSH to open it in VS Code, or \`ssh ${RUN}\`.`);
      const manual = await vscode.commands.executeCommand<{ status: string; message: string }>('dstack.openInVsCode', RUN);
      assert.equal(manual.status, 'not-possible');
      assert.match(manual.message, /needs Remote-SSH \(ms-vscode-remote\.remote-ssh\)/);
      assert.equal(openedFolders.length, before, 'the command opened nothing either');
    } finally {
      api.experience.remoteSsh = saved;
    }
  });

  test('off: nothing opens; the notification offers "Open in VS Code"', async () => {
    const api = await activatedApi();
    const config = vscode.workspace.getConfiguration('dstack');
    await config.update('openOnReady', false, vscode.ConfigurationTarget.Global);
    try {
      const before = openedFolders.length;
      const outcome = await api.apply(fixture('dev.dstack.yml'), { offerIndex: 0, env: { HF_TOKEN: 'x' } });
      assert.equal(outcome.status, 'running', outcome.message);
      assert.ok(outcome.status === 'running');
      assert.equal(openedFolders.length, before, 'no window was opened');
      assert.equal(outcome.opened, undefined);
      assert.equal(outcome.message, `dstack: ${RUN} is running (dev.dstack.yml).`);
    } finally {
      await config.update('openOnReady', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
