// The offers picker: a webview view in the dstack activity-bar container. It shows the plan of the last
// apply and sends back the offer the user chose. Nothing is posted before the webview's `ready`, and the
// plan is resent on every `ready` (the view is rebuilt when shown again; no retainContextWhenHidden).
import * as vscode from 'vscode';
import type { ExtensionToWebview, PlanView, ProvisioningView } from '../protocol';
import { isWebviewMessage } from '../protocol';
import { newNonce, pickerHtml } from './webview-html';

/** The view id in package.json. */
export const OFFERS_VIEW_ID = 'dstack.offers';

/** Called when the user chooses offer `index` of plan `planId`. */
export type ChooseHandler = (planId: string, index: number) => void;

/** Provides the offers webview view. */
export class OffersViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private plan: PlanView | null = null;
  private status: ProvisioningView | null = null;
  private readonly readyEmitter = new vscode.EventEmitter<void>();
  /** Fires each time the webview completes the ready handshake (tests and callers wait on it). */
  readonly onDidBecomeReady = this.readyEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly onChoose: ChooseHandler) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const root = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, localResourceRoots: [root, vscode.Uri.joinPath(this.extensionUri, 'media')] };
    view.webview.html = pickerHtml({
      cspSource: view.webview.cspSource, nonce: newNonce(), scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString(),
    });
    this.disposables.push(
      view.webview.onDidReceiveMessage((message: unknown) => {
        if (!isWebviewMessage(message)) return;
        switch (message.type) {
          case 'ready':
            this.ready = true;
            this.resend();
            this.readyEmitter.fire();
            return;
          case 'choose':
            this.onChoose(message.planId, message.index);
            return;
        }
      }),
      view.onDidChangeVisibility(() => { if (view.visible) this.resend(); }),
      view.onDidDispose(() => {
        this.view = undefined;
        this.ready = false;
      }),
    );
  }

  /** Whether the webview is resolved and has said `ready`. */
  get isReady(): boolean {
    return this.view !== undefined && this.ready;
  }

  /** The plan shown now. */
  get currentPlan(): PlanView | null {
    return this.plan;
  }

  /** Shows a plan (replacing the previous one) and reveals the view. */
  async show(plan: PlanView): Promise<void> {
    this.plan = plan;
    this.status = null;
    this.post({ type: 'plan', plan });
    await vscode.commands.executeCommand(`${OFFERS_VIEW_ID}.focus`).then(undefined, () => undefined);
  }

  /** Shows a provisioning line under the table of plan `planId`. */
  showStatus(planId: string, status: ProvisioningView): void {
    if (this.plan?.id !== planId) return;
    this.status = status;
    this.post({ type: 'provisioning', planId, status });
  }

  private resend(): void {
    this.post({ type: 'plan', plan: this.plan });
    if (this.plan && this.status) this.post({ type: 'provisioning', planId: this.plan.id, status: this.status });
  }

  private post(message: ExtensionToWebview): void {
    if (this.view && this.ready) void this.view.webview.postMessage(message);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.readyEmitter.dispose();
  }
}
