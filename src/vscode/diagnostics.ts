// Puts the language core's diagnostics for open dstack files into the Problems panel (debounced while typing).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { validateText } from '../schema/index';
import { isDstackFile } from './dstack-files';
import type { Log } from './log';

/** The core's result for one file (what `validateText` returns). */
export type ValidationResult = ReturnType<typeof validateText>;
/** One diagnostic as the core reports it (1-based lines and columns). */
export type CoreDiagnostic = ValidationResult['diagnostics'][number];

/** Milliseconds of typing quiet before a changed document is validated again. */
export const CHANGE_DEBOUNCE_MS = 300;

/** Converts a core diagnostic (1-based, end exclusive) to a VS Code diagnostic (0-based). */
export function toVscodeDiagnostic(d: CoreDiagnostic, uri: vscode.Uri): vscode.Diagnostic {
  const start = new vscode.Position(Math.max(0, d.line - 1), Math.max(0, d.column - 1));
  const end = new vscode.Position(Math.max(0, d.endLine - 1), Math.max(0, d.endColumn - 1));
  const range = new vscode.Range(start, end.isBefore(start) ? start : end);
  const message = d.path && !d.message.includes(d.path) ? `${d.path}: ${d.message}` : d.message;
  const severity = d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning;
  const diagnostic = new vscode.Diagnostic(range, message, severity);
  diagnostic.source = 'dstack';
  diagnostic.code = d.code;
  if (d.path) {
    diagnostic.relatedInformation = [
      new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, range), `field: ${d.path}`),
    ];
  }
  return diagnostic;
}

/** Validates dstack files and keeps the "dstack" DiagnosticCollection in step with the open documents. */
export class DstackDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('dstack');
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly validated = new vscode.EventEmitter<{ uri: vscode.Uri; text: string; result: ValidationResult }>();
  /** Fires after each validation with the text that was validated (tests count them). */
  readonly onDidValidate = this.validated.event;

  constructor(private readonly log: Log) {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((doc) => this.validateDocument(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.clear(doc.uri)),
    );
    for (const doc of vscode.workspace.textDocuments) this.validateDocument(doc);
  }

  /** Validates the text of a file now, publishes the diagnostics and returns the core's result. */
  validate(uri: vscode.Uri, text: string): ValidationResult {
    const result = validateText(text, uri.fsPath);
    this.collection.set(uri, result.diagnostics.map((d) => toVscodeDiagnostic(d, uri)));
    this.log(`validated ${path.basename(uri.fsPath)}: ${result.diagnostics.length} problem(s)`);
    this.validated.fire({ uri, text, result });
    return result;
  }

  /** Validates an open document when it is a dstack file; returns undefined for any other document. */
  validateDocument(doc: vscode.TextDocument): ValidationResult | undefined {
    if (doc.uri.scheme === 'output' || !isDstackFile(doc.fileName)) return undefined;
    this.cancel(doc.uri);
    return this.validate(doc.uri, doc.getText());
  }

  /** Removes a file's diagnostics (the document was closed). */
  clear(uri: vscode.Uri): void {
    this.cancel(uri);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    for (const s of this.subscriptions) s.dispose();
    this.validated.dispose();
    this.collection.dispose();
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!isDstackFile(doc.fileName)) return;
    this.cancel(doc.uri);
    this.pending.set(doc.uri.toString(), setTimeout(() => {
      this.pending.delete(doc.uri.toString());
      if (!doc.isClosed) this.validateDocument(doc);
    }, CHANGE_DEBOUNCE_MS));
  }

  private cancel(uri: vscode.Uri): void {
    const timer = this.pending.get(uri.toString());
    if (timer) clearTimeout(timer);
    this.pending.delete(uri.toString());
  }
}
