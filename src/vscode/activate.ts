// Activation: wires the language core to VS Code (diagnostics, the apply command, the "dstack" log channel).
import * as vscode from 'vscode';
import { applyCommand, type ApplyOptions, type ApplyOutcome } from './commands/apply';
import type { CommandContext } from './commands/context';
import { COMMAND_IDS, type CommandId } from './commands/ids';
import { DstackDiagnostics, type ValidationResult } from './diagnostics';
import { wireExperience } from './experience';
import type { ExtensionRuntime } from './host';
import { createLog, showDstackLog, type Log } from './log';
import { registerLanguageFeatures } from './language/register';

/** What activate() returns: a small API for tests and for other extensions. */
export interface DstackExtensionApi {
  /** The command ids this extension registered. */
  readonly commandIds: readonly CommandId[];
  /** Validates a file's current text now and publishes its diagnostics. */
  validate(uri: vscode.Uri): Promise<ValidationResult>;
  /** Runs "dstack: Apply" on a file, as the explorer menu does (options answer its prompts). */
  apply(uri: vscode.Uri, options?: ApplyOptions): Promise<ApplyOutcome>;
  /** The runtime, views and settings the commands share (tests inspect it and intercept openFolder). */
  readonly experience: CommandContext;
}

/** The runtime of this activation: deactivate() hands its leader lease over. */
let activeRuntime: ExtensionRuntime | undefined;

function register(context: vscode.ExtensionContext, log: Log): DstackExtensionApi {
  const diagnostics = new DstackDiagnostics(log);
  context.subscriptions.push(diagnostics);
  const experience = wireExperience(context, diagnostics, log);
  activeRuntime = experience.host;
  registerLanguageFeatures(context, experience.host);
  log(`activated (VS Code ${vscode.version})`);
  return {
    commandIds: COMMAND_IDS,
    validate: async (uri) => {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      return diagnostics.validate(uri, text);
    },
    apply: (uri, options) => applyCommand(experience, uri, options),
    experience,
  };
}

/** The message of an activation failure: short, with the reason (the stack goes to the dstack channel). */
export function activationFailureMessage(error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return `dstack: the extension failed to start: ${reason}`;
}

/** Called by VS Code when an activation event fires; a failure is logged and shown to the user, then rethrown. */
export function activate(context: vscode.ExtensionContext): DstackExtensionApi {
  const { log } = createLog(context);
  try {
    return register(context, log);
  } catch (error) {
    log(`activation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void vscode.window.showErrorMessage(activationFailureMessage(error), 'Show logs', 'Open settings').then((choice) => {
      if (choice === 'Show logs') showDstackLog();
      if (choice === 'Open settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'dstack');
    });
    throw error;
  }
}

/**
 * Called by VS Code when the window closes or reloads: returns the hand-over of the leader lease, which VS Code
 * awaits, so another window or the CLI leads at once instead of after the lease expires (12 s); everything else is
 * disposed through context.subscriptions.
 */
export function deactivate(): Promise<void> | undefined {
  return activeRuntime?.handOver();
}
