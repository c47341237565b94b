// The run commands (palette, runs view context menu, status bar): stop, abort, attach / open in VS Code,
// logs, copy the ssh command, extend the inactivity timeout, and the status bar's action menu.
import * as vscode from 'vscode';
import { environmentWorkingDir } from '../../orchestrator/attach/attach-text';
import { statusMessage } from '../../orchestrator/display';
import { runLogFiles } from '../../orchestrator/logs';
import { isActiveRun, type RunRecord } from '../../orchestrator/model/run';
import { findRun, requestStop, RunNotFoundError, updateInPlace } from '../../orchestrator/orchestrator';
import { formatPrettyDuration } from '../../schema';
import type { DoctorReport } from '../../backends/ssh/config/doctor';
import { desiredEndpoints } from '../../orchestrator/scheduler/ssh-publisher';
import { showDstackLog } from '../log';
import { openRemoteFolder, REMOTE_SSH_EXTENSIONS } from '../remote-ssh';
import { extendedInactivity } from '../run-figures';
import { followedRun } from '../status-bar';
import type { CommandContext } from './context';

/** What a run command did (returned for tests and chaining). */
export type RunCommandOutcome =
  | { status: 'done'; run: string; message: string; uri?: string }
  | { status: 'not-possible'; run: string | null; message: string };

/** The run name an argument names: a string, a runs-view node, or nothing (then the user picks). */
async function pickRun(ctx: CommandContext, arg: unknown, activeOnly: boolean): Promise<RunRecord | undefined> {
  const state = await ctx.host.state();
  if (typeof arg === 'string') return findRun(state.runs, arg);
  if (typeof arg === 'object' && arg !== null && (arg as { kind?: unknown }).kind === 'run') {
    const name = (arg as { run: RunRecord }).run.name;
    return findRun(state.runs, name);
  }
  const candidates = state.runs.filter((r) => !activeOnly || isActiveRun(r)).sort((a, b) => b.submittedAt - a.submittedAt);
  if (candidates.length === 1) return candidates[0];
  const picked = await vscode.window.showQuickPick(candidates.map((r) => ({ label: r.name, description: statusMessage(r), run: r })), {
    title: 'dstack: which run?', placeHolder: candidates.length === 0 ? 'no runs' : 'choose a run',
  });
  return picked?.run;
}

function notPossible(run: string | null, message: string): RunCommandOutcome {
  void vscode.window.showWarningMessage(message);
  return { status: 'not-possible', run, message };
}

/** Stop (graceful) or abort a run. */
export async function stopRun(ctx: CommandContext, arg: unknown, abort: boolean): Promise<RunCommandOutcome> {
  const run = await pickRun(ctx, arg, true);
  if (!run) return notPossible(null, 'dstack: no active run to stop.');
  try {
    const asked = await requestStop(ctx.host.runtime.store, run.name, abort);
    ctx.host.runtime.leader.poke();
    await ctx.host.refresh(true);
    const message = asked ? `dstack: ${abort ? 'aborting' : 'stopping'} ${run.name}.` : `dstack: ${run.name} had already finished.`;
    void vscode.window.showInformationMessage(message);
    return { status: 'done', run: run.name, message };
  } catch (err) {
    if (err instanceof RunNotFoundError) return notPossible(run.name, `dstack: ${err.message}`);
    throw err;
  }
}

/** Opens a running run's working dir in a new window with Remote-SSH (host alias = run name, as the SSH access publishes it). */
export async function openInVsCode(ctx: CommandContext, arg: unknown): Promise<RunCommandOutcome> {
  const run = await pickRun(ctx, arg, true);
  if (!run) return notPossible(null, 'dstack: no active run to open.');
  if (run.status !== 'running') return notPossible(run.name, `dstack: ${run.name} is ${statusMessage(run)}; it can be opened once it is running.`);
  const state = await ctx.host.state();
  const inst = state.instances.find((i) => i.id === run.instanceId);
  if (!inst?.ssh) {
    return notPossible(run.name, `dstack: ${run.name} runs on ${inst?.backend ?? 'a backend'} without an SSH endpoint yet; SSH access for it is not set up by the orchestrator yet. See "dstack: Show Logs".`);
  }
  if (!ctx.remoteSsh()) {
    return notPossible(run.name, `dstack: opening ${run.name} in VS Code needs Remote-SSH (${REMOTE_SSH_EXTENSIONS[0]}); install it, or connect with \`ssh ${run.name}\` from a terminal.`);
  }
  const uri = await openRemoteFolder(ctx.settingsFile, run.name, environmentWorkingDir(run, inst, ctx.host.runtime.backends), ctx.openFolder);
  ctx.log(`opened ${uri.toString()}`);
  return { status: 'done', run: run.name, message: `opened ${run.name}`, uri: uri.toString() };
}

/** Shows a run's init output: the log file of its last instance, else the streamed channel. */
export async function showLogs(ctx: CommandContext, arg: unknown): Promise<RunCommandOutcome> {
  const run = await pickRun(ctx, arg, false);
  if (!run) return notPossible(null, 'dstack: no run to show logs for.');
  const files = runLogFiles(run, ctx.host.runtime.backends);
  const last = files.at(-1);
  if (last) {
    await vscode.window.showTextDocument(vscode.Uri.file(last), { preview: true });
    return { status: 'done', run: run.name, message: last };
  }
  ctx.runLogs.show(true);
  return { status: 'done', run: run.name, message: `no log file for ${run.name} on this machine; showing the streamed output` };
}

/** Copies an ssh command that reaches the run. */
export async function copySshCommand(ctx: CommandContext, arg: unknown): Promise<RunCommandOutcome> {
  const run = await pickRun(ctx, arg, true);
  if (!run) return notPossible(null, 'dstack: no active run.');
  const inst = (await ctx.host.state()).instances.find((i) => i.id === run.instanceId);
  if (!inst?.ssh) return notPossible(run.name, `dstack: ${run.name} has no SSH endpoint yet.`);
  // The published `Host <run-name>` entry holds the jump host, port, user and pinned key: the endpoint itself is
  // often only reachable through it (SSH fleets and EC2 listen on the host's loopback).
  const command = `ssh ${run.name}`;
  await vscode.env.clipboard.writeText(command);
  void vscode.window.showInformationMessage(`dstack: copied "${command}".`);
  return { status: 'done', run: run.name, message: command };
}

/** Extends the inactivity auto-stop in place (dstack updates inactivity_duration without a restart). */
export async function extendRun(ctx: CommandContext, arg: unknown): Promise<RunCommandOutcome> {
  const run = await pickRun(ctx, arg, true);
  if (!run) return notPossible(null, 'dstack: no active run to extend.');
  const next = extendedInactivity(run.spec.inactivityDuration);
  const configuration = { ...run.spec.configuration, inactivity_duration: next };
  await updateInPlace(ctx.host.runtime.store, run.name, { ...run.spec, inactivityDuration: next, configuration });
  ctx.host.runtime.leader.poke();
  await ctx.host.refresh(true);
  const message = `dstack: ${run.name} now stops after ${formatPrettyDuration(next)} of inactivity.`;
  void vscode.window.showInformationMessage(message);
  return { status: 'done', run: run.name, message };
}

/** One entry of the status bar's menu. */
export interface RunActionItem extends vscode.QuickPickItem {
  id: 'attach' | 'stop' | 'extend';
}

/** Shows the menu and resolves with the chosen entry (the real one is a quick pick; tests pass their own). */
export type RunActionChooser = (items: RunActionItem[], title: string) => Thenable<RunActionItem | undefined>;

const quickPickChooser: RunActionChooser = (items, title) => vscode.window.showQuickPick(items, { title });

/** The status bar's menu for the followed run: attach, stop, extend. */
export async function runActions(ctx: CommandContext, choose: RunActionChooser = quickPickChooser): Promise<RunCommandOutcome | undefined> {
  const run = followedRun(await ctx.host.state(), ctx.attachedRun);
  if (!run) return notPossible(null, 'dstack: no active run.');
  const picked = await choose([
    { label: '$(plug) Attach', description: 'open in VS Code over Remote-SSH', id: 'attach' },
    { label: '$(debug-stop) Stop', id: 'stop' },
    { label: '$(history) Extend', description: 'longer inactivity auto-stop, in place', id: 'extend' },
  ], `dstack: ${run.name}`);
  if (!picked) return undefined;
  switch (picked.id) {
    case 'attach': return openInVsCode(ctx, run.name);
    case 'stop': return stopRun(ctx, run.name, false);
    case 'extend': return extendRun(ctx, run.name);
  }
}

/** What SSH Doctor found (returned for tests): the core doctor's report for the run. */
export type DoctorOutcome = RunCommandOutcome | { status: 'checked'; run: string; report: DoctorReport };

/**
 * SSH Doctor: asks the real OpenSSH client (`ssh -G`, through the core doctor) whether `ssh <run>` (and so
 * Remote-SSH) reaches the environment through our entry, and shows the verdict with the fix.
 */
export async function sshDoctor(ctx: CommandContext, arg: unknown): Promise<DoctorOutcome> {
  const run = await pickRun(ctx, arg, true);
  if (!run) return notPossible(null, 'dstack: SSH Doctor needs a running run; there is none.');
  const ep = desiredEndpoints(await ctx.host.state()).get(run.name);
  if (run.status !== 'running' || !ep) {
    return notPossible(run.name, `dstack: ${run.name} is ${statusMessage(run)}${run.status === 'running' ? ' without an SSH endpoint yet' : ''}; SSH Doctor checks a running run with SSH access.`);
  }
  const report = await ctx.host.runtime.ssh.access.doctor(ep);
  const details = report.mismatches.map((m) => `${m.option}: ${m.actual} (expected ${m.expected})`).join('; ');
  ctx.log(`ssh doctor ${run.name}: ${report.status}${details ? ` (${details})` : ''}`);
  const userConfig = ctx.host.runtime.ssh.userConfig;
  if (report.status === 'ok') {
    void vscode.window.showInformationMessage(`dstack: SSH Doctor: ${report.message}`);
  } else {
    void vscode.window.showErrorMessage(`dstack: SSH Doctor: ${run.name}: ${report.message}`, 'Open ssh config', 'Show logs')
      .then((choice) => {
        if (choice === 'Open ssh config') void vscode.window.showTextDocument(vscode.Uri.file(userConfig));
        if (choice === 'Show logs') showDstackLog();
      });
  }
  return { status: 'checked', run: run.name, report };
}
