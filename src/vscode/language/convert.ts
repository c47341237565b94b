// Engine offsets and candidates → VS Code ranges and completion items.
import * as vscode from 'vscode';
import type { CandidateKind, CompletionCandidate, OffsetRange } from '../../schema/completion';

/** An engine range as a VS Code range of `doc`. */
export function toRange(doc: vscode.TextDocument, range: OffsetRange): vscode.Range {
  return new vscode.Range(doc.positionAt(range.start), doc.positionAt(range.end));
}

const KINDS: Readonly<Record<CandidateKind, vscode.CompletionItemKind>> = {
  property: vscode.CompletionItemKind.Property,
  enum: vscode.CompletionItemKind.EnumMember,
  value: vscode.CompletionItemKind.Value,
  gpu: vscode.CompletionItemKind.Constant,
  region: vscode.CompletionItemKind.Constant,
  variable: vscode.CompletionItemKind.Variable,
  duration: vscode.CompletionItemKind.Unit,
};

/** A completion item for one engine candidate (snippet insert text, markdown docs, replace range). */
export function toCompletionItem(doc: vscode.TextDocument, c: CompletionCandidate): vscode.CompletionItem {
  const item = new vscode.CompletionItem(c.label, KINDS[c.kind]);
  item.insertText = new vscode.SnippetString(c.insertText);
  item.detail = c.detail;
  item.documentation = new vscode.MarkdownString(c.documentation);
  item.sortText = c.sortText;
  item.filterText = c.label;
  const range = toRange(doc, c.range);
  item.range = range.isSingleLine ? range : new vscode.Range(range.start, range.start);
  if (c.kind === 'property' && c.insertText.endsWith('$0')) item.command = { command: 'editor.action.triggerSuggest', title: 'Suggest values' };
  return item;
}
