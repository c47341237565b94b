// A window opened on `ssh-remote+<run>` (activation: onResolveRemoteAuthority:ssh-remote). Remote-SSH owns
// the resolver; this only reacts: a starting run gets a progress notification until it is ready (then a
// reload connects), a stopped one a message offering to start it again (re-apply of its file).
import * as vscode from 'vscode';
import { finalMessage, statusMessage } from '../orchestrator/display';
import { findRun } from '../orchestrator/orchestrator';
import type { RunRecord } from '../orchestrator/model/run';
import { applyCommand, type ApplyOutcome } from './commands/apply';
import type { CommandContext } from './commands/context';
import { RunProgressTracker } from './run-progress';

/** What the window found (returned for tests). */
export type RemoteWindowOutcome =
  | { status: 'not-ours'; run: string }
  | { status: 'ready'; run: string }
  | { status: 'waited'; run: string; final: RunRecord['status'] | 'gone'; lines: string[] }
  | { status: 'stopped'; run: string; message: string; start: ApplyOutcome | null };

/** Options instead of the prompts (tests): whether "Start" was chosen. */
export interface RemoteWindowOptions {
  start?: boolean;
}

const STARTING: readonly RunRecord['status'][] = ['submitted', 'pending', 'provisioning'];

/** Reacts to this window being opened on the run `name`'s host. */
export async function reactToRemoteWindow(ctx: CommandContext, name: string, options: RemoteWindowOptions = {}): Promise<RemoteWindowOutcome> {
  const run = findRun((await ctx.host.refresh()).runs, name);
  if (!run) return { status: 'not-ours', run: name };
  if (run.status === 'running') return { status: 'ready', run: name };
  if (STARTING.includes(run.status)) return waitUntilReady(ctx, run);
  const message = `dstack: ${name} is stopped (${finalMessage(run)}), so this window cannot connect. Start it again from ${run.spec.configurationPath}?`;
  ctx.log(`remote window on ${name}: ${statusMessage(run)}`);
  const start = options.start ?? (await vscode.window.showWarningMessage(message, 'Start')) === 'Start';
  if (!start) return { status: 'stopped', run: name, message, start: null };
  const outcome = await applyCommand(ctx, vscode.Uri.file(run.spec.configurationPath));
  return { status: 'stopped', run: name, message, start: outcome };
}

async function waitUntilReady(ctx: CommandContext, run: RunRecord): Promise<RemoteWindowOutcome> {
  const lines: string[] = [];
  const tracker = new RunProgressTracker(run.id);
  const state = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `dstack: ${run.name} is starting; this window connects once it is ready` }, (progress) =>
    ctx.host.waitFor((s) => {
      for (const line of tracker.update(s)) {
        lines.push(line);
        progress.report({ message: line });
      }
      const r = s.runs.find((x) => x.id === run.id);
      return !r || !STARTING.includes(r.status);
    }));
  const final = state.runs.find((x) => x.id === run.id);
  if (final?.status === 'running') {
    void vscode.window.showInformationMessage(`dstack: ${run.name} is ready.`, 'Reload Window').then((c) => {
      if (c) void vscode.commands.executeCommand('workbench.action.reloadWindow');
    });
  } else {
    void vscode.window.showErrorMessage(`dstack: ${run.name} did not start: ${final ? finalMessage(final) : 'gone'}.`, 'Show logs').then((c) => {
      if (c) void vscode.commands.executeCommand('dstack.showLogs', run.name);
    });
  }
  return { status: 'waited', run: run.name, final: final?.status ?? 'gone', lines };
}
