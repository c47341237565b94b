// The commands end to end in the extension host: ids in sync with package.json, apply on an invalid file
// provisions nothing, apply on a valid file with the fake backend reaches running, stop and extend.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { FakeBackend } from '../../src/backends/fake/fake-backend';
import { FileSecretStore } from '../../src/orchestrator/secrets/secret-store';
import type { Offer } from '../../src/backends/offer';
import type { ApplyOutcome } from '../../src/vscode/commands/apply';
import { COMMANDS } from '../../src/vscode/commands/ids';
import { activatedApi, EXTENSION_ID, fixture } from './helpers';

/** A fake offer with a 24GB GPU (what dev.dstack.yml asks for). */
function offer(instanceType: string, price: number): Offer {
  return {
    backend: 'fake', region: 'fake-1', instanceType, pricePerHour: price, availability: 'available',
    resources: { cpuArch: 'x86', cpus: 4, memoryGB: 16, diskGB: 100, gpus: [{ name: 'A10G', vendor: 'nvidia', memoryGB: 24 }], spot: false },
  };
}

/** The fake backend the extension's runtime uses (the runner sets DSTACK_VSC_FAKE_BACKEND). */
export function fakeBackend(): FakeBackend {
  const file = process.env['DSTACK_VSC_FAKE_BACKEND'];
  assert.ok(file, 'DSTACK_VSC_FAKE_BACKEND is set for the extension host (test/ui/extension-host.mjs)');
  return new FakeBackend(file);
}

suite('commands', () => {
  suiteSetup(async () => {
    await activatedApi();
    await fakeBackend().script({ offers: [offer('g5.xlarge', 1.006), offer('g6.xlarge', 0.805)] });
  });

  test('contributes.commands lists the code\'s ids and titles, in order', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes: { commands: { command: string; title: string }[] } };
    assert.deepEqual(manifest.contributes.commands.map((c) => [c.command, c.title]), COMMANDS.map((c) => [c.id, c.title]));
  });

  test('apply on an invalid file provisions nothing', async () => {
    const api = await activatedApi();
    const before = (await api.experience.host.state()).runs.length;
    const outcome = await vscode.commands.executeCommand<ApplyOutcome>('dstack.apply', fixture('broken.dstack.yml'));
    assert.equal(outcome.status, 'invalid');
    assert.equal((await api.experience.host.refresh()).runs.length, before);
  });

  test('apply on a valid dev environment: plan in the offers view, the chosen offer provisioned, running', async () => {
    const api = await activatedApi();
    const outcome = await vscode.commands.executeCommand<ApplyOutcome>('dstack.apply', fixture('dev.dstack.yml'), { offerIndex: 1, env: { HF_TOKEN: 'hf_test' } });
    assert.equal(outcome.status, 'running', outcome.message);
    const plan = api.experience.offers.currentPlan;
    assert.ok(plan, 'the offers view holds the plan');
    assert.deepEqual(plan.offers.map((o) => o.instanceType), ['g6.xlarge', 'g5.xlarge'], 'cheapest first');
    assert.equal(plan.inactivityDuration, 7200);
    assert.ok(Math.abs((plan.offers[0]?.projectedCost ?? 0) - 0.805 * 2) < 1e-9, 'projected cost = price x inactivity_duration');
    const state = await api.experience.host.refresh();
    const run = state.runs.find((r) => r.name === 'dev-vsc' && r.status === 'running');
    assert.ok(run, 'the store has the running run');
    const instance = state.instances.find((i) => i.id === run.instanceId);
    assert.equal(instance?.offer.instanceType, 'g5.xlarge', 'the chosen offer (index 1) was provisioned');
    const reference = /^\$\{\{ secrets\.(vsc_env_\w+) \}\}$/.exec(run.spec.env['HF_TOKEN'] ?? '');
    assert.ok(reference?.[1], `the typed HF_TOKEN is referenced, not stored in the run: ${run.spec.env['HF_TOKEN']}`);
    assert.equal(await api.experience.host.runtime.secrets.get(reference[1]), 'hf_test', 'it is kept in SecretStorage');
  });

  test('re-apply to the active run: inactivity_duration is updated in place; an unchanged file applies nothing', async () => {
    const api = await activatedApi();
    const source = fixture('dev.dstack.yml');
    const copy = vscode.Uri.joinPath(source, '..', 'dev-longer.dstack.yml');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(source));
    await vscode.workspace.fs.writeFile(copy, new TextEncoder().encode(text.replace('inactivity_duration: 2h', 'inactivity_duration: 3h')));
    try {
      const same = await api.apply(source, { env: { HF_TOKEN: 'hf_test' } });
      assert.equal(same.status, 'exists', same.message);
      const updated = await api.apply(copy, { env: { HF_TOKEN: 'hf_test' }, updateInPlace: true });
      assert.equal(updated.status, 'updated', updated.message);
      assert.ok(updated.status === 'updated');
      assert.deepEqual(updated.fields, ['inactivity_duration']);
      const run = (await api.experience.host.refresh()).runs.find((r) => r.name === 'dev-vsc' && r.status === 'running');
      assert.equal(run?.spec.inactivityDuration, 10800);
    } finally {
      await vscode.workspace.fs.delete(copy);
    }
  });

  test('extend doubles the inactivity auto-stop in place; stop ends the run', async () => {
    const api = await activatedApi();
    const extended = await vscode.commands.executeCommand<{ status: string }>('dstack.extend', 'dev-vsc');
    assert.equal(extended.status, 'done');
    const state = await api.experience.host.refresh();
    assert.equal(state.runs.find((r) => r.name === 'dev-vsc' && r.status === 'running')?.spec.inactivityDuration, 21600, '3h doubled');
    const stopped = await vscode.commands.executeCommand<{ status: string }>('dstack.stop', 'dev-vsc');
    assert.equal(stopped.status, 'done');
    const final = await api.experience.host.waitFor((s) => s.runs.filter((r) => r.name === 'dev-vsc').every((r) => r.status === 'terminated'));
    assert.ok(final.runs.some((r) => r.name === 'dev-vsc'));
  });

  test('failover: the chosen offer has no capacity, the next one runs; attempts reach the run logs channel', async () => {
    const api = await activatedApi();
    const fake = fakeBackend();
    await fake.script({ failures: { 'fake/fake-1/g6.xlarge': { code: 'no_capacity', message: 'no g6 left' } } });
    try {
      const outcome = await api.apply(fixture('dev.dstack.yml'), { offerIndex: 0, env: { HF_TOKEN: 'x' } });
      assert.equal(outcome.status, 'running', outcome.status === 'running' ? '' : JSON.stringify(outcome));
      const state = await api.experience.host.refresh();
      const run = state.runs.find((r) => r.name === 'dev-vsc' && r.status === 'running');
      assert.deepEqual(run?.attempts.map((a) => [a.instanceType, a.outcome]), [['g6.xlarge', 'no_capacity'], ['g5.xlarge', 'created']]);
    } finally {
      await fake.script({ failures: {} });
      await vscode.commands.executeCommand('dstack.stop', 'dev-vsc');
      await api.experience.host.waitFor((s) => s.runs.filter((r) => r.name === 'dev-vsc').every((r) => r.status === 'terminated'));
    }
  });

  test('apply with a missing env value and nobody to answer: cancelled, nothing provisioned', async () => {
    const api = await activatedApi();
    const before = (await api.experience.host.state()).runs.length;
    let settled = false;
    const pending = api.apply(fixture('dev.dstack.yml')).finally(() => { settled = true; });
    // Dismiss the HF_TOKEN input box as a user pressing Escape would, whenever it has opened.
    while (!settled) {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await new Promise((r) => setTimeout(r, 100));
    }
    const outcome = await pending;
    assert.equal(outcome.status, 'cancelled');
    assert.equal((await api.experience.host.refresh()).runs.length, before);
  });

  test('SSH Doctor on a run that is not running says what it needs', async () => {
    const outcome = await vscode.commands.executeCommand<{ status: string; message: string }>('dstack.sshDoctor', 'dev-vsc');
    assert.equal(outcome.status, 'not-possible');
    assert.match(outcome.message, /SSH Doctor checks a running run with SSH access/);
  });
});

suite('secrets in the extension', () => {
  test('SecretStorage holds what VS Code sets; the CLI\'s secrets file is read as a fallback and never written', async () => {
    const api = await activatedApi();
    const stateDir = process.env['DSTACK_VSC_STATE_DIR'];
    assert.ok(stateDir, 'DSTACK_VSC_STATE_DIR is set for the extension host');
    const cli = new FileSecretStore(stateDir);
    await cli.set('from_cli', 'cli-value');
    const secrets = api.experience.host.runtime.secrets;
    await secrets.set('from_vscode', 'vscode-value');
    assert.equal(await secrets.get('from_cli'), 'cli-value');
    assert.equal(await secrets.get('from_vscode'), 'vscode-value');
    assert.deepEqual((await secrets.list()).filter((n) => n.startsWith('from_')), ['from_cli', 'from_vscode']);
    assert.equal(await cli.get('from_vscode'), undefined, 'VS Code secrets stay out of the CLI file');
    assert.equal(await secrets.delete('from_vscode'), true);
    assert.equal(await secrets.get('from_vscode'), undefined);
    await cli.delete('from_cli');
  });
});
