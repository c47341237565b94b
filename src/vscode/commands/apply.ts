// "dstack: Apply": until the orchestrator exists it validates the file and reports what would be applied.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DstackDiagnostics } from '../diagnostics';
import { isDstackFile } from '../dstack-files';
import type { Log } from '../log';
import { describeConfiguration } from './describe-configuration';

/** What the apply command did, returned to callers (tests, other commands). */
export type ApplyOutcome =
  | { status: 'no-file'; message: string }
  | { status: 'invalid'; file: string; problems: number; message: string }
  | { status: 'valid'; file: string; summary: string; message: string };

async function readText(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  return vscode.window.activeTextEditor?.document.uri;
}

/** Runs "dstack: Apply" on the file given by the explorer/editor title, or on the active editor's file. */
export async function applyCommand(diagnostics: DstackDiagnostics, log: Log, arg?: unknown): Promise<ApplyOutcome> {
  const uri = targetUri(arg);
  if (!uri || !isDstackFile(uri.fsPath)) {
    const message = 'dstack: Apply needs a *.dstack.yml, *.dstack.yaml or .dstack.yml file: open one or right-click it in the Explorer.';
    void vscode.window.showErrorMessage(message);
    return { status: 'no-file', message };
  }
  const file = path.basename(uri.fsPath);
  const result = diagnostics.validate(uri, await readText(uri));
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || result.configuration === null || result.configuration === undefined) {
    const problems = Math.max(1, errors.length);
    const first = errors[0];
    const where = first ? ` First: ${file}:${first.line}:${first.column}: ${first.message}` : '';
    const message = `dstack: ${file} has ${problems} problem(s) and was not applied; see the Problems panel.${where}`;
    log(`apply ${file}: invalid (${problems} problem(s))`);
    void vscode.window.showErrorMessage(message, 'Show Problems').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
    return { status: 'invalid', file, problems, message };
  }
  const summary = describeConfiguration(result.configuration);
  const message = `dstack: ${file} is valid. Would apply ${summary}; provisioning arrives with the orchestrator.`;
  log(`apply ${file}: valid, ${summary}`);
  void vscode.window.showInformationMessage(message);
  return { status: 'valid', file, summary, message };
}
