// Hover for dstack files: field documentation, type, default, example; enum value meanings; GPU facts.
import * as vscode from 'vscode';
import { hoverAt } from '../../schema/completion';
import { toRange } from './convert';

/** The HoverProvider over the pure `hoverAt`. */
export class DstackHoverProvider implements vscode.HoverProvider {
  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const info = hoverAt(doc.getText(), doc.offsetAt(position));
    return info ? new vscode.Hover(new vscode.MarkdownString(info.markdown), toRange(doc, info.range)) : undefined;
  }
}
