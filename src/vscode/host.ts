// The one place the extension builds the orchestrator: the CLI's state dir (so `dstack-vsc ps` sees runs
// applied here), SecretStorage for secrets (the CLI's secrets file read as a fallback), the leader loop in the background (one window leads, the
// others follow the store), and a change event fed by the event bus and by watching the store.
import * as vscode from 'vscode';
import { openRuntime, type Runtime } from '../orchestrator/runtime';
import { FileSecretStore } from '../orchestrator/secrets/secret-store';
import { defaultStateDir } from '../orchestrator/store/store';
import type { OrchestratorState } from '../orchestrator/store/state';
import type { Log } from './log';
import { LayeredSecretStore, VscodeSecretStore } from './secret-storage';
import { backendsOptions, runtimeEnv } from './settings';
import { withAwsKeys } from './aws-credentials';
import { awsSettingsEnv } from './aws-settings';
import { kubernetesSettingsEnv } from './kubernetes-settings';

/** How often a window re-reads the store (cheap: a stat unless the file changed). */
const WATCH_MS = 1000;

/** The extension's runtime plus a "state changed" event for the views. */
export class ExtensionRuntime implements vscode.Disposable {
  readonly runtime: Runtime;
  private readonly changed = new vscode.EventEmitter<OrchestratorState>();
  /** Fires with the new state whenever the store changes (any process) or an event arrives. */
  readonly onDidChangeState = this.changed.event;
  private last: OrchestratorState | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly offEvents: () => void;

  constructor(context: vscode.ExtensionContext, private readonly log: Log, env: NodeJS.ProcessEnv = runtimeEnv()) {
    const secrets = new LayeredSecretStore(new VscodeSecretStore(context.secrets), new FileSecretStore(defaultStateDir(env)));
    this.runtime = openRuntime(kubernetesSettingsEnv(awsSettingsEnv(env)), { secrets, backends: withAwsKeys(backendsOptions(log), context.secrets) });
    this.runtime.leader.start((err) => this.log(`scheduler: ${err instanceof Error ? err.message : String(err)}`));
    this.offEvents = this.runtime.events.on(() => void this.refresh());
    this.timer = setInterval(() => void this.refresh(), WATCH_MS);
    log(`orchestrator state dir ${this.runtime.stateDir}`);
  }

  /** The current state (a shared read-only snapshot). */
  state(): Promise<OrchestratorState> {
    return this.runtime.store.read();
  }

  /** Re-reads the store and fires onDidChangeState when it changed. */
  async refresh(force = false): Promise<OrchestratorState> {
    const state = await this.runtime.store.read();
    if (force || state !== this.last) {
      this.last = state;
      this.changed.fire(state);
    }
    return state;
  }

  /** Resolves with the first state (re-read on every change) for which `done` holds. */
  waitFor(done: (s: OrchestratorState) => boolean): Promise<OrchestratorState> {
    return new Promise((resolve, reject) => {
      const check = (s: OrchestratorState): boolean => {
        if (!done(s)) return false;
        sub.dispose();
        resolve(s);
        return true;
      };
      const sub = this.onDidChangeState(check);
      this.state().then(check, (err: unknown) => {
        sub.dispose();
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
  }

  /** Stops the leader loop and gives the lease up, so another window or the CLI takes over at once (not when it expires). */
  handOver(): Promise<void> {
    return this.runtime.leader.stop();
  }

  dispose(): void {
    clearInterval(this.timer);
    this.offEvents();
    this.changed.dispose();
    void this.handOver();
  }
}
