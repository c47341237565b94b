// The runs tree: every run (active first, newest first) with its instance as children: status, backend,
// resources, price, age and "inactive for"; then the instances no active run is on (idle ones kept by
// idle_duration, ones being terminated), which may still cost money, each with its status, backend, price and
// idle time, and a Terminate action. Refreshed whenever the orchestrator's state changes.
import * as vscode from 'vscode';
import { relativeTime, runInstance, runRow, shortDuration } from '../../orchestrator/display';
import { inactiveSecs, isActiveRun, type InstanceRecord, type RunRecord } from '../../orchestrator/model/run';
import { INSTANCE_TERMINATION_TEXT } from '../../orchestrator/model/status';
import { displayBackend, formatPrice, prettyOfferResources } from '../../orchestrator/offers';
import { instancesWithoutRun } from '../../orchestrator/orchestrator';
import type { OrchestratorState } from '../../orchestrator/store/state';
import type { ExtensionRuntime } from '../host';

/** The view id in package.json. */
export const RUNS_VIEW_ID = 'dstack.runs';

/** A node of the tree: a run, the group of instances without a run, one such instance, or one detail line. */
export type RunsNode =
  | { kind: 'run'; run: RunRecord; instances: readonly InstanceRecord[] }
  | { kind: 'instances'; instances: readonly InstanceRecord[] }
  | { kind: 'instance'; instance: InstanceRecord }
  | { kind: 'detail'; parent: string; label: string; value: string };

/** Sorts runs: active first, then newest first. */
export function orderRuns(runs: readonly RunRecord[]): RunRecord[] {
  return [...runs].sort((a, b) => Number(isActiveRun(b)) - Number(isActiveRun(a)) || b.submittedAt - a.submittedAt);
}

/** The contextValue of a run item (menus show stop/abort/attach only where they apply). */
export function runContextValue(run: RunRecord): string {
  if (run.status === 'running') return 'dstackRun.running';
  return isActiveRun(run) ? 'dstackRun.active' : 'dstackRun.finished';
}

/** The contextValue of an instance item: Terminate is offered until it is being terminated. */
export function instanceContextValue(inst: InstanceRecord): string {
  return inst.status === 'terminating' ? 'dstackInstance.terminating' : 'dstackInstance.terminable';
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

/** An instance's price per hour as a cell: `$1.006/h`, `(spot)` appended for spot. */
function instancePrice(inst: InstanceRecord): string {
  return `${formatPrice(inst.offer.pricePerHour)}/h${inst.offer.resources.spot ? ' (spot)' : ''}`;
}

/** When an idle instance is terminated by itself: `after 5m idle`, or never (idle_duration off). */
function idleLimit(inst: InstanceRecord): string {
  return inst.idleDuration < 0 ? 'never (idle_duration off)' : `after ${shortDuration(inst.idleDuration)} idle`;
}

/** The detail lines of an instance without a run: status, backend, resources, price, idle since, the run it was created for. */
export function instanceDetails(inst: InstanceRecord, now: number): { label: string; value: string }[] {
  const reason = inst.terminationReason ? ` (${INSTANCE_TERMINATION_TEXT[inst.terminationReason]})` : '';
  const lines = [
    { label: 'status', value: `${inst.status}${reason}` },
    { label: 'backend', value: `${displayBackend(inst.backend)} (${inst.offer.region}) ${inst.offer.instanceType}` },
    { label: 'resources', value: prettyOfferResources(inst.offer.resources) || '-' },
    { label: 'price', value: instancePrice(inst) },
  ];
  if (inst.idleSince !== null) {
    lines.push({ label: 'idle since', value: relativeTime(inst.idleSince, now) });
    if (inst.status === 'idle') lines.push({ label: 'terminated', value: idleLimit(inst) });
  }
  lines.push({ label: 'created for', value: `${inst.createdForRun}, ${relativeTime(inst.createdAt, now)}` });
  return lines;
}

/** The one-line summary of an instance without a run: `idle · aws (us-east-1) · $1.006/h · idle since 3 mins ago`. */
export function instanceDescription(inst: InstanceRecord, now: number): string {
  return [inst.status, `${displayBackend(inst.backend)} (${inst.offer.region})`, instancePrice(inst), inst.idleSince !== null ? `idle since ${relativeTime(inst.idleSince, now)}` : '']
    .filter(Boolean).join(' · ');
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
    const now = this.host.runtime.clock.now();
    switch (node.kind) {
      case 'detail': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.value;
        return item;
      }
      case 'instances': {
        const item = new vscode.TreeItem('Instances without a run', vscode.TreeItemCollapsibleState.Expanded);
        item.id = 'dstack.instancesWithoutRun';
        const perHour = node.instances.reduce((sum, i) => sum + i.offer.pricePerHour, 0);
        item.description = `${node.instances.length} · ${formatPrice(perHour)}/h`;
        item.tooltip = 'Instances no active run is on: idle ones are kept for reuse by idle_duration and may cost money until terminated.';
        item.iconPath = new vscode.ThemeIcon('server');
        return item;
      }
      case 'instance': {
        const inst = node.instance;
        const item = new vscode.TreeItem(`${displayBackend(inst.backend)} ${inst.offer.instanceType}`, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `instance:${inst.id}`;
        item.description = instanceDescription(inst, now);
        item.contextValue = instanceContextValue(inst);
        item.iconPath = new vscode.ThemeIcon(inst.status === 'terminating' ? 'loading~spin' : 'vm-outline');
        item.tooltip = `instance ${inst.id} (created for ${inst.createdForRun}): ${inst.status}`;
        return item;
      }
      case 'run': {
        const row = runRow(node.run, node.instances, now);
        const item = new vscode.TreeItem(node.run.name, isActiveRun(node.run) ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.run.id;
        item.description = [row.status, row.backend && `${row.backend} (${row.region})`, row.price !== '-' ? `${row.price}/h` : '', row.submitted].filter(Boolean).join(' · ');
        item.contextValue = runContextValue(node.run);
        item.iconPath = new vscode.ThemeIcon(node.run.status === 'running' ? 'vm-running' : isActiveRun(node.run) ? 'loading~spin' : 'vm-outline');
        item.tooltip = `${node.run.name}: ${row.status}${row.error ? ` (${row.error})` : ''}\n${node.run.spec.configurationPath}`;
        return item;
      }
    }
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    const state = this.state ?? (await this.host.state());
    const now = this.host.runtime.clock.now();
    if (!node) {
      const runs: RunsNode[] = orderRuns(state.runs).map((run) => ({ kind: 'run', run, instances: state.instances }));
      const loose = instancesWithoutRun(state);
      return loose.length > 0 ? [...runs, { kind: 'instances', instances: loose }] : runs;
    }
    switch (node.kind) {
      case 'detail': return [];
      case 'instances': return node.instances.map((instance) => ({ kind: 'instance', instance }));
      case 'instance': return instanceDetails(node.instance, now).map((d) => ({ kind: 'detail', parent: node.instance.id, ...d }));
      case 'run': return runDetails(node.run, node.instances, now).map((d) => ({ kind: 'detail', parent: node.run.name, ...d }));
    }
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
