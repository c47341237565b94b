// A real environment on the local backend (its agent, its ssh2 sshd, the published `ssh <run>`), applied and driven
// from the extension: a typed secret reaches the environment but never the state file, init output streams into
// the run logs channel, the run opens by itself on ready at the working dir `ssh <run>` lands in (forceNewWindow),
// and every run action does what it says: Attach, Copy SSH Command, Show Logs, Refresh and the status bar's menu.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { updateInPlace } from '../../src/orchestrator/orchestrator';
import type { RunRecord } from '../../src/orchestrator/model/run';
import type { OrchestratorState } from '../../src/orchestrator/store/state';
import { Store } from '../../src/orchestrator/store/store';
import { runActions, type RunActionItem, type RunCommandOutcome } from '../../src/vscode/commands/run-commands';
import { RunStatusBar } from '../../src/vscode/status-bar';
import { activatedApi, eventually, fixture, openedFolders } from './helpers';

const RUN = 'local-vsc';
const INIT_LINE = `init of ${RUN} says hello`;
const CONFIG = [
  'type: dev-environment', `name: ${RUN}`, 'ide: vscode', 'env:', '  - HF_TOKEN', '  - MODE',
  'init:', '  - printf %s "$HF_TOKEN" > token-seen.txt', `  - echo "${INIT_LINE}"`,
  'inactivity_duration: 1h', 'idle_duration: 0', 'resources:', '  cpu: 1..', '  memory: 0.5GB..', '  disk: 1GB..', '',
].join('\n');

function finished(s: OrchestratorState): boolean {
  return s.runs.filter((r) => r.name === RUN).every((r) => r.status === 'terminated' || r.status === 'failed' || r.status === 'done');
}

/** `ssh <args>` with the user ssh config the orchestrator includes its entries into (asynchronous: the host keeps running). */
function ssh(userConfig: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('ssh', ['-F', userConfig, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', ...args], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr });
    });
  });
}

suite('a local environment driven from VS Code', () => {
  const token = `hf_typed_${randomBytes(8).toString('hex')}`;
  const logLines: string[] = [];
  let file: vscode.Uri;
  let restore: () => Promise<void>;

  suiteSetup(async () => {
    const api = await activatedApi();
    const ctx = api.experience;
    file = vscode.Uri.joinPath(fixture('dev.dstack.yml'), '..', 'local.dstack.yml');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(CONFIG));
    // The run's init runs for real here: no VS Code server download from the internet.
    const config = vscode.workspace.getConfiguration('dstack');
    await config.update('preinstallVsCodeServer', false, vscode.ConfigurationTarget.Global);
    // The run logs channel, recorded (and still written).
    const channel = ctx.runLogs;
    ctx.runLogs = new Proxy(channel, {
      get(target, key) {
        if (key === 'appendLine') return (line: string) => { logLines.push(line); target.appendLine(line); };
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    restore = async () => {
      ctx.runLogs = channel;
      await config.update('preinstallVsCodeServer', undefined, vscode.ConfigurationTarget.Global);
      await vscode.workspace.fs.delete(file);
    };
  });

  suiteTeardown(async () => {
    const api = await activatedApi();
    if (!finished(await api.experience.host.refresh())) await vscode.commands.executeCommand('dstack.stop', RUN);
    await api.experience.host.waitFor(finished);
    await restore();
  });

  async function running(): Promise<{ run: RunRecord; state: OrchestratorState }> {
    const state = await (await activatedApi()).experience.host.refresh();
    const run = state.runs.find((r) => r.name === RUN && r.status === 'running');
    assert.ok(run, `${RUN} is running`);
    return { run, state };
  }

  test('apply: the typed secret reaches the environment, never the state file; init output streams into the run logs; it opens in a new window on ready', async () => {
    const api = await activatedApi();
    const before = openedFolders.length;
    const outcome = await api.apply(file, { offerIndex: 0, env: { HF_TOKEN: token, MODE: 'plain' } });
    assert.equal(outcome.status, 'running', JSON.stringify(outcome));
    const { run, state } = await running();
    const inst = state.instances.find((i) => i.id === run.instanceId);
    assert.ok(inst, 'the run has its instance');
    assert.equal(inst.backend, 'local', 'the local offer ($0, the cheapest) was provisioned');

    // Item: secrets typed into masked input boxes stay out of plain files.
    assert.match(run.spec.env['HF_TOKEN'] ?? '', /^\$\{\{ secrets\.vsc_env_[0-9a-f]+_HF_TOKEN \}\}$/, 'the env holds a reference to the secret');
    assert.equal(run.spec.env['MODE'], 'plain', 'a value that does not look secret is kept as typed');
    const stateText = fs.readFileSync(api.experience.host.runtime.store.stateFile, 'utf8');
    assert.ok(stateText.includes(run.spec.env['HF_TOKEN'] as string) && !stateText.includes(token), 'state.json holds the reference, never the typed value');
    const workingDir = inst.workingDir;
    assert.ok(workingDir, 'the agent reported its working dir');
    assert.equal(fs.readFileSync(path.join(workingDir, 'token-seen.txt'), 'utf8'), token, 'the environment received the typed value');

    // Item: the working dir is the local instance's own folder, and that is what opened, in a new window.
    const stateDir = api.experience.host.runtime.stateDir;
    assert.equal(workingDir, path.join(stateDir, 'local', 'instances', inst.id, 'home', 'workflow'));
    assert.ok(fs.statSync(workingDir).isDirectory(), 'the folder exists');
    const expected = `vscode-remote://ssh-remote+${RUN}${workingDir}`;
    assert.deepEqual(openedFolders.slice(before), [{ uri: expected, options: { forceNewWindow: true } }], 'opened once on ready, in a new window');
    assert.ok(outcome.status === 'running');
    assert.equal(vscode.Uri.parse(outcome.opened ?? '').toString(true), expected);
    assert.match(outcome.message, /is running .*; opened in a new window\.$/);

    // Item: init output streamed into the "dstack: run logs" channel during apply.
    assert.ok(logLines.includes(`[${RUN}] ${INIT_LINE}`), `run logs: ${logLines.join(' | ')}`);
  });

  test('Copy SSH Command copies `ssh <run>`, and that command lands in the working dir that was opened', async () => {
    const api = await activatedApi();
    await vscode.env.clipboard.writeText('before');
    const outcome = await vscode.commands.executeCommand<RunCommandOutcome>('dstack.copySshCommand', RUN);
    assert.equal(outcome.status, 'done', outcome.message);
    assert.equal(await vscode.env.clipboard.readText(), `ssh ${RUN}`);
    const { run, state } = await running();
    await eventually(`ssh ${RUN} is published`, async () => (await api.experience.host.runtime.ssh.access.published()).includes(RUN));
    const r = await ssh(api.experience.host.runtime.ssh.userConfig, RUN, 'pwd; cat token-seen.txt');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${state.instances.find((i) => i.id === run.instanceId)?.workingDir}\n${token}`);
  });

  test('Attach opens the run\'s working dir in a new window', async () => {
    const before = openedFolders.length;
    const { run, state } = await running();
    const outcome = await vscode.commands.executeCommand<RunCommandOutcome>('dstack.attach', RUN);
    assert.equal(outcome.status, 'done', outcome.message);
    const workingDir = state.instances.find((i) => i.id === run.instanceId)?.workingDir;
    assert.deepEqual(openedFolders.slice(before), [{ uri: `vscode-remote://ssh-remote+${RUN}${workingDir}`, options: { forceNewWindow: true } }]);
  });

  test('Show Logs opens the run\'s log with its init output', async () => {
    const outcome = await vscode.commands.executeCommand<RunCommandOutcome>('dstack.showLogs', RUN);
    assert.equal(outcome.status, 'done', outcome.message);
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.fsPath, outcome.message, 'the run\'s log file is the active editor');
    assert.ok(editor.document.getText().split('\n').includes(INIT_LINE), editor.document.getText());
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('Refresh redraws the runs view from the store now, with what another process wrote', async () => {
    const api = await activatedApi();
    const runs = api.experience.runs;
    let fired = 0;
    const sub = runs.onDidChangeTreeData(() => { fired++; });
    const { run } = await running();
    const other = new Store(api.experience.host.runtime.stateDir);   // e.g. the CLI re-applying from a moved file
    const moved = path.join(path.dirname(run.spec.configurationPath), 'moved', 'local.dstack.yml');
    try {
      await vscode.commands.executeCommand('dstack.refresh');
      assert.ok(fired > 0, 'Refresh redraws even when nothing changed (the 1 s watcher only fires on a change)');
      await updateInPlace(other, RUN, { ...run.spec, configurationPath: moved });
      await vscode.commands.executeCommand('dstack.refresh');
      const node = (await runs.getChildren()).find((n) => n.kind === 'run' && n.run.id === run.id);
      assert.ok(node);
      assert.match(String(runs.getTreeItem(node).tooltip), new RegExp(`${moved.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    } finally {
      sub.dispose();
      await updateInPlace(other, RUN, run.spec);
    }
  });

  test('the status bar\'s click menu: Attach opens, Extend lengthens the auto-stop in place, Stop ends the run', async () => {
    const api = await activatedApi();
    const bar = new RunStatusBar(api.experience.host, () => RUN);
    try {
      await api.experience.host.refresh(true);
      assert.equal(bar.shownRun, RUN);
      assert.equal(bar.command, 'dstack.runActions', 'a click opens the run\'s action menu');
    } finally {
      bar.dispose();
    }
    const menus: string[][] = [];
    const choose = (id: RunActionItem['id']) => async (items: RunActionItem[], title: string): Promise<RunActionItem | undefined> => {
      menus.push([title, ...items.map((i) => i.id)]);
      return items.find((i) => i.id === id);
    };
    const before = openedFolders.length;
    const attached = await runActions(api.experience, choose('attach'));
    assert.equal(attached?.status, 'done', attached?.message);
    assert.equal(openedFolders.length, before + 1);
    assert.equal(openedFolders.at(-1)?.options.forceNewWindow, true);
    const extended = await runActions(api.experience, choose('extend'));
    assert.equal(extended?.status, 'done', extended?.message);
    assert.equal((await running()).run.spec.inactivityDuration, 7200, '1h doubled');
    const stopped = await runActions(api.experience, choose('stop'));
    assert.equal(stopped?.status, 'done', stopped?.message);
    await api.experience.host.waitFor(finished);
    assert.deepEqual(menus, [1, 2, 3].map(() => [`dstack: ${RUN}`, 'attach', 'stop', 'extend']));
  });
});

