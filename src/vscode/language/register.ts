// Registers completion, hover, quick fixes and the Apply lens for dstack files.
import * as vscode from 'vscode';
import { backendOfferLists } from '../../orchestrator/offers';
import type { OrchestratorState } from '../../orchestrator/store/state';
import type { ExtensionRuntime } from '../host';
import { VscodeSecretStore } from '../secret-storage';
import { DstackCodeActionProvider } from './code-action-provider';
import { DstackApplyLensProvider } from './code-lens-provider';
import { COMPLETION_TRIGGERS, DstackCompletionProvider } from './completion-provider';
import { DstackHoverProvider } from './hover-provider';
import { DSTACK_SELECTOR } from './selector';

/** What in the state changes the offers: which instances exist and what they do (busy hosts, the local machine). */
export function offersSignature(state: OrchestratorState): string {
  return JSON.stringify([state.instances.map((i) => [i.id, i.status, i.runId]), state.runs.map((r) => [r.id, r.status])]);
}

/** Registers the language providers; everything is disposed with the extension context. The lens lists the offers of `host`'s backends. */
export function registerLanguageFeatures(context: vscode.ExtensionContext, host: ExtensionRuntime): DstackApplyLensProvider {
  const secrets = new VscodeSecretStore(context.secrets);
  const lens = new DstackApplyLensProvider((requirements) => backendOfferLists(host.runtime.backends.values(), requirements));
  let signature: string | undefined;
  context.subscriptions.push(
    lens,
    vscode.languages.registerCompletionItemProvider(DSTACK_SELECTOR, new DstackCompletionProvider(() => secrets.list()), ...COMPLETION_TRIGGERS),
    vscode.languages.registerHoverProvider(DSTACK_SELECTOR, new DstackHoverProvider()),
    vscode.languages.registerCodeActionsProvider(DSTACK_SELECTOR, new DstackCodeActionProvider(), DstackCodeActionProvider.metadata),
    vscode.languages.registerCodeLensProvider(DSTACK_SELECTOR, lens),
    vscode.workspace.onDidCloseTextDocument((doc) => lens.forget(doc.uri)),
    host.onDidChangeState((state) => {
      const next = offersSignature(state);
      if (signature !== undefined && next !== signature) lens.offersMayHaveChanged();
      signature = next;
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('dstack')) lens.offersMayHaveChanged();
    }),
  );
  return lens;
}
