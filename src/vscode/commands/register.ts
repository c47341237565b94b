// The one registration point: every CommandId maps to its handler (a missing one is a compile error).
import * as vscode from 'vscode';
import { applyCommand, applyOptions } from './apply';
import type { CommandContext } from './context';
import { COMMAND_IDS, type CommandId } from './ids';
import { terminateInstance } from './instance-commands';
import { copySshCommand, extendRun, openInVsCode, runActions, showLogs, sshDoctor, stopRun } from './run-commands';
import { OFFERS_VIEW_ID } from '../views/offers-view';
import { setAwsCredentials } from '../aws-credentials';

/** Registers every command with VS Code; returns the disposables. */
export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const handlers: Record<CommandId, (arg?: unknown, more?: unknown) => unknown> = {
    'dstack.apply': (arg, more) => applyCommand(ctx, arg, applyOptions(more)),
    'dstack.stop': (arg) => stopRun(ctx, arg, false),
    'dstack.abort': (arg) => stopRun(ctx, arg, true),
    'dstack.attach': (arg) => openInVsCode(ctx, arg),
    'dstack.showOffers': () => vscode.commands.executeCommand(`${OFFERS_VIEW_ID}.focus`),
    'dstack.showLogs': (arg) => showLogs(ctx, arg),
    'dstack.refresh': () => ctx.runs.refresh(),
    'dstack.sshDoctor': (arg) => sshDoctor(ctx, arg),
    'dstack.openInVsCode': (arg) => openInVsCode(ctx, arg),
    'dstack.copySshCommand': (arg) => copySshCommand(ctx, arg),
    'dstack.extend': (arg) => extendRun(ctx, arg),
    'dstack.runActions': () => runActions(ctx),
    'dstack.terminateInstance': (arg) => terminateInstance(ctx, arg),
    'dstack.setAwsCredentials': () => setAwsCredentials(ctx.extension.secrets, ctx.log),
  };
  return COMMAND_IDS.map((id) => vscode.commands.registerCommand(id, handlers[id]));
}
