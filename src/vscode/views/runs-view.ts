// The runs tree: every run (active first, newest first) with its instance as children: status, backend,
// resources, price, age and "inactive for". Refreshed whenever the orchestrator's state changes.
import * as vscode from 'vscode';
import { runInstance, runRow, shortDuration } from '../../orchestrator/display';
import { inactiveSecs, isActiveRun, type InstanceRecord, type RunRecord } from '../../orchestrator/model/run';
import type { OrchestratorState } from '../../orchestrator/store/state';
import type { ExtensionRuntime } from '../host';

/** The view id in package.json. */
export const RUNS_VIEW_ID = 'dstack.runs';

/** A node of the tree: a run, or one detail line of a run. */
export type RunsNode =
  | { kind: 'run'; run: RunRecord; instances: readonly InstanceRecord[] }
  | { kind: 'detail'; runName: string; label: string; value: string };

/** Sorts runs: active first, then newest first. */
export function orderRuns(runs: readonly RunRecord[]): RunRecord[] {
  return [...runs].sort((a, b) => Number(isActiveRun(b)) - Number(isActiveRun(a)) || b.submittedAt - a.submittedAt);
}

/** The contextValue of a run item (menus show stop/abort/attach only where they apply). */
export function runContextValue(run: RunRecord): string {
  if (run.status === 'running') return 'dstackRun.running';
  return isActiveRun(run) ? 'dstackRun.active' : 'dstackRun.finished';
}

/** The detail lines of a run. */
export function runDetails(run: RunRecord, instances: readonly InstanceRecord[], now: number): { label: string; value: string }[] {
  const row = runRow(run, instances, now);
  const inst = runInstance(run, instances);
  const lines = [
    { label: 'status', value: row.status + (row.error ? ` (${row.error})` : '') },
    { label: 'backend', value: row.backend ? `${row.backend} (${row.region}) ${row.instanceType}` : '-' },
    { label: 'resources', value: row.resources || '-' },
    { label: 'price', value: row.price },
    { label: 'submitted', value: row.submitted },
  ];
  const idle = inactiveSecs(run, now);
  if (run.status === 'running') lines.push({ label: 'inactive for', value: idle === null ? 'no report yet' : shortDuration(idle) });
  if (inst?.ssh) lines.push({ label: 'ssh', value: `${inst.ssh.user}@${inst.ssh.host}:${inst.ssh.port}` });
  return lines;
}

/** The runs tree data provider. */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private state: OrchestratorState | null = null;
  private readonly sub: vscode.Disposable;

  constructor(private readonly host: ExtensionRuntime) {
    this.sub = host.onDidChangeState((s) => {
      this.state = s;
      this.changed.fire(undefined);
    });
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === 'detail') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.description = node.value;
      return item;
    }
    const row = runRow(node.run, node.instances, this.host.runtime.clock.now());
    const item = new vscode.TreeItem(node.run.name, isActiveRun(node.run) ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.run.id;
    item.description = [row.status, row.backend && `${row.backend} (${row.region})`, row.price !== '-' ? `${row.price}/h` : '', row.submitted].filter(Boolean).join(' · ');
    item.contextValue = runContextValue(node.run);
    item.iconPath = new vscode.ThemeIcon(node.run.status === 'running' ? 'vm-running' : isActiveRun(node.run) ? 'loading~spin' : 'vm-outline');
    item.tooltip = `${node.run.name}: ${row.status}${row.error ? ` (${row.error})` : ''}\n${node.run.spec.configurationPath}`;
    return item;
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    const state = this.state ?? (await this.host.state());
    if (!node) return orderRuns(state.runs).map((run) => ({ kind: 'run', run, instances: state.instances }));
    if (node.kind === 'detail') return [];
    return runDetails(node.run, node.instances, this.host.runtime.clock.now()).map((d) => ({ kind: 'detail', runName: node.run.name, ...d }));
  }

  /** Re-reads the store and redraws. */
  async refresh(): Promise<void> {
    this.state = await this.host.refresh(true);
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
