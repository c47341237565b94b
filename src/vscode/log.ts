// The "dstack" output channel: one timestamped line per event, never a secret.
import * as vscode from 'vscode';

/** Writes one line to the dstack output channel. */
export type Log = (message: string) => void;

let current: vscode.OutputChannel | undefined;

/** Creates the "dstack" output channel and a logger writing to it. */
export function createLog(context: vscode.ExtensionContext): { channel: vscode.OutputChannel; log: Log } {
  const channel = vscode.window.createOutputChannel('dstack');
  context.subscriptions.push(channel);
  current = channel;
  const log: Log = (message) => channel.appendLine(`${new Date().toISOString()} ${message}`);
  return { channel, log };
}

/** Reveals the "dstack" channel (the "Show logs" action of error messages). */
export function showDstackLog(): void {
  current?.show(true);
}
