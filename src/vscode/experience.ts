// Wires the run experience: the runtime (scheduler in this extension host), the offers and runs views,
// the status bar, the run-logs channel and every command. activate() calls this once.
import * as vscode from 'vscode';
import type { DstackDiagnostics } from './diagnostics';
import { ExtensionRuntime } from './host';
import type { Log } from './log';
import { openFolderCommand, remoteSshInstalled, userSettingsFile } from './remote-ssh';
import { reactToRemoteWindow } from './remote-window';
import { RunStatusBar } from './status-bar';
import { provisionChoice } from './commands/apply';
import type { CommandContext } from './commands/context';
import { registerCommands } from './commands/register';
import { OFFERS_VIEW_ID, OffersViewProvider } from './views/offers-view';
import { RUNS_VIEW_ID, RunsTreeProvider } from './views/runs-view';

/** The run this window is attached to: the run name of an `ssh-remote+<run>` workspace, else null. */
export function attachedRunName(folders: readonly vscode.WorkspaceFolder[] | undefined): string | null {
  const authority = folders?.[0]?.uri.scheme === 'vscode-remote' ? folders[0].uri.authority : '';
  const match = /^ssh-remote\+(.+)$/.exec(authority);
  return match?.[1] ?? null;
}

/** Builds and registers everything; returns the command context (the extension API exposes parts of it). */
export function wireExperience(context: vscode.ExtensionContext, diagnostics: DstackDiagnostics, log: Log): CommandContext {
  const host = new ExtensionRuntime(context, log);
  const runLogs = vscode.window.createOutputChannel('dstack: run logs');
  const runs = new RunsTreeProvider(host);
  // The callback runs only after activation, when ctx exists.
  const offers = new OffersViewProvider(context.extensionUri, (planId, index) => void provisionChoice(ctx, planId, index));
  const ctx: CommandContext = {
    extension: context, host, diagnostics, log, runLogs, offers, runs,
    attachedRun: attachedRunName(vscode.workspace.workspaceFolders),
    settingsFile: userSettingsFile(context), openFolder: openFolderCommand, remoteSsh: remoteSshInstalled,
  };
  const statusBar = new RunStatusBar(host, () => ctx.attachedRun);
  context.subscriptions.push(
    host, runLogs, runs, offers, statusBar,
    vscode.window.registerWebviewViewProvider(OFFERS_VIEW_ID, offers),
    vscode.window.registerTreeDataProvider(RUNS_VIEW_ID, runs),
    ...registerCommands(ctx),
  );
  void host.refresh(true);
  // Opened on one of our hosts (onResolveRemoteAuthority:ssh-remote): wait for it, or offer to start it.
  if (ctx.attachedRun) {
    const run = ctx.attachedRun;
    void reactToRemoteWindow(ctx, run).then((o) => log(`remote window on ${run}: ${o.status}`), (err: unknown) => log(`remote window on ${run}: ${String(err)}`));
  }
  return ctx;
}
