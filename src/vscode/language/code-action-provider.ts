// Quick fixes for the "dstack" diagnostics (conflicting keys, duration units, misspelled keys and values).
import * as vscode from 'vscode';
import type { DiagnosticCode } from '../../schema';
import { quickFixesFor } from '../../schema/completion';
import { toRange } from './convert';

/** Diagnostic codes that can have a quick fix. */
export const FIXABLE_CODES: readonly DiagnosticCode[] = ['conflict', 'invalid-value', 'invalid-enum', 'unknown-field'];

/** The CodeActionProvider: one QuickFix action per engine fix, attached to its diagnostic. */
export class DstackCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const text = doc.getText();
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
      if (diagnostic.source !== 'dstack' || !FIXABLE_CODES.includes(code as DiagnosticCode)) continue;
      const fixes = quickFixesFor(text, {
        code: code as DiagnosticCode,
        message: diagnostic.message,
        offset: doc.offsetAt(diagnostic.range.start),
        endOffset: doc.offsetAt(diagnostic.range.end),
      });
      for (const fix of fixes) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.isPreferred = fix.preferred;
        action.edit = new vscode.WorkspaceEdit();
        for (const edit of fix.edits) action.edit.replace(doc.uri, toRange(doc, edit.range), edit.newText);
        actions.push(action);
      }
    }
    return actions;
  }
}
