// The status bar item: for the run this window is attached to (else the most recent active one) the
// countdown to the inactivity auto-stop and the cost so far; clicking offers attach, stop and extend.
import * as vscode from 'vscode';
import { isActiveRun, type RunRecord } from '../orchestrator/model/run';
import type { OrchestratorState } from '../orchestrator/store/state';
import type { ExtensionRuntime } from './host';
import { statusBarText } from './run-figures';

/** The run the status bar follows: the attached run when active, else the newest active run. */
export function followedRun(state: OrchestratorState, attached: string | null): RunRecord | undefined {
  const active = state.runs.filter(isActiveRun);
  return active.find((r) => r.name === attached) ?? [...active].sort((a, b) => b.submittedAt - a.submittedAt)[0];
}

/** Keeps the status bar item in step with the orchestrator's state (and ticks every second for the countdown). */
export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('dstack.run', vscode.StatusBarAlignment.Left, 50);
  private readonly sub: vscode.Disposable;
  private readonly timer: NodeJS.Timeout;
  private state: OrchestratorState | null = null;
  /** The run name shown now (undefined when hidden). */
  shownRun: string | undefined;

  constructor(private readonly host: ExtensionRuntime, private readonly attached: () => string | null) {
    this.item.name = 'dstack run';
    this.item.command = 'dstack.runActions';
    this.sub = host.onDidChangeState((s) => {
      this.state = s;
      this.render();
    });
    this.timer = setInterval(() => this.render(), 1000);
  }

  /** The item's current text (for tests). */
  get text(): string {
    return this.item.text;
  }

  /** The command a click runs (the run's action menu). */
  get command(): string | undefined {
    return typeof this.item.command === 'string' ? this.item.command : this.item.command?.command;
  }

  private render(): void {
    const run = this.state ? followedRun(this.state, this.attached()) : undefined;
    this.shownRun = run?.name;
    if (!run || !this.state) {
      this.item.hide();
      return;
    }
    this.item.text = statusBarText(run, this.state.instances, this.host.runtime.clock.now());
    this.item.tooltip = `dstack run ${run.name} (${run.spec.configurationPath}): click to attach, stop or extend`;
    this.item.show();
  }

  dispose(): void {
    clearInterval(this.timer);
    this.sub.dispose();
    this.item.dispose();
  }
}
