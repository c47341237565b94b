// "Apply · cheapest $X/h <gpu> on <backend> · N offers" at the top of a dev-environment file; runs dstack.apply.
// The offers are the configured backends' (what Apply plans over), listed in the background per requirements and
// reused until a run starts or ends, the dstack settings change, or they are older than OFFERS_MAX_AGE_MS.
import * as vscode from 'vscode';
import type { Requirements } from '../../backends/backend';
import type { Offer } from '../../backends/offer';
import { OfferListCache } from '../../orchestrator/offers';
import {
  applyLensRequest, listingFailedSummary, listingSummary, summarizeOffers, type ApplyLensRequest, type ApplyLensSummary,
} from '../../schema/completion';

/** How long listed offers are reused before the backends are asked again (prices and capacity drift). */
export const OFFERS_MAX_AGE_MS = 5 * 60_000;

/** The CodeLensProvider; a document's request is computed once per version, its offers once per requirements. */
export class DstackApplyLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when listed offers arrived or may have changed: VS Code asks for the lenses again. */
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly requests = new Map<string, { version: number; request: ApplyLensRequest | undefined }>();
  private readonly offers: OfferListCache;

  constructor(listOffers: (requirements: Requirements) => Promise<Offer[][]>, maxAgeMs: number = OFFERS_MAX_AGE_MS) {
    this.offers = new OfferListCache(listOffers, { maxAgeMs, onSettled: () => this.changed.fire() });
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const summary = this.summaryOf(doc);
    if (!summary) return [];
    return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { title: summary.title, command: 'dstack.apply', arguments: [doc.uri] })];
  }

  /** What the lens of `doc` says now (undefined: no lens), from the offers listed so far. */
  summaryOf(doc: vscode.TextDocument): ApplyLensSummary | undefined {
    const key = doc.uri.toString();
    let cached = this.requests.get(key);
    if (!cached || cached.version !== doc.version) {
      cached = { version: doc.version, request: applyLensRequest(doc.getText()) };
      this.requests.set(key, cached);
    }
    const request = cached.request;
    if (!request) return undefined;
    if (request.kind === 'summary') return request.summary;
    const known = this.offers.lookup(request.key, request.requirements);
    if (known.lists) return summarizeOffers(request.requirements, known.lists);
    if (known.error !== undefined) return listingFailedSummary(firstLine(known.error));
    return listingSummary();
  }

  /** The offers may have changed: list them again when the lenses are next shown (the last ones show meanwhile). */
  offersMayHaveChanged(): void {
    this.offers.invalidate();
    this.changed.fire();
  }

  /** Forgets a closed document. */
  forget(uri: vscode.Uri): void {
    this.requests.delete(uri.toString());
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}
