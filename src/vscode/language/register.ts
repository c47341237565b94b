// Registers completion, hover, quick fixes and the Apply lens for dstack files.
import * as vscode from 'vscode';
import { localOffer } from '../../backends/local/offers';
import type { Offer } from '../../backends/offer';
import { VscodeSecretStore } from '../secret-storage';
import { DstackCodeActionProvider } from './code-action-provider';
import { DstackApplyLensProvider } from './code-lens-provider';
import { COMPLETION_TRIGGERS, DstackCompletionProvider } from './completion-provider';
import { DstackHoverProvider } from './hover-provider';
import { DSTACK_SELECTOR } from './selector';

/** Registers the language providers; everything is disposed with the extension context. */
export function registerLanguageFeatures(context: vscode.ExtensionContext): void {
  const secrets = new VscodeSecretStore(context.secrets);
  let local: Promise<Offer | null> | undefined;
  const lens = new DstackApplyLensProvider(() => (local ??= localOffer()));
  context.subscriptions.push(
    vscode.languages.registerCompletionItemProvider(DSTACK_SELECTOR, new DstackCompletionProvider(() => secrets.list()), ...COMPLETION_TRIGGERS),
    vscode.languages.registerHoverProvider(DSTACK_SELECTOR, new DstackHoverProvider()),
    vscode.languages.registerCodeActionsProvider(DSTACK_SELECTOR, new DstackCodeActionProvider(), DstackCodeActionProvider.metadata),
    vscode.languages.registerCodeLensProvider(DSTACK_SELECTOR, lens),
    vscode.workspace.onDidCloseTextDocument((doc) => lens.forget(doc.uri)),
  );
}
