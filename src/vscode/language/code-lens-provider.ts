// "Apply · cheapest $X/h <gpu> on <backend> · N offers" at the top of a dev-environment file; runs dstack.apply.
import * as vscode from 'vscode';
import type { Offer } from '../../backends/offer';
import { applyLensSummary } from '../../schema/completion';

/** The CodeLensProvider; the summary is computed once per document version. */
export class DstackApplyLensProvider implements vscode.CodeLensProvider {
  private readonly cache = new Map<string, { version: number; lens: vscode.CodeLens | undefined }>();

  constructor(private readonly localOffer: () => Promise<Offer | null>) {}

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const key = doc.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === doc.version) return cached.lens ? [cached.lens] : [];
    const local = await this.localOffer().catch(() => null);
    const summary = applyLensSummary(doc.getText(), local);
    const lens = summary && new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { title: summary.title, command: 'dstack.apply', arguments: [doc.uri] });
    this.cache.set(key, { version: doc.version, lens });
    return lens ? [lens] : [];
  }

  /** Forgets a closed document. */
  forget(uri: vscode.Uri): void {
    this.cache.delete(uri.toString());
  }
}
