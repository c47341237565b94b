// "dstack: Apply": validate (invalid → Problems, nothing provisioned), ask for env values the file leaves
// empty, plan (offers and projected cost until auto-stop, shown in the offers view), then provision the
// chosen offer (or the cheapest) through the orchestrator with a progress notification until it runs.
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { prettyOfferResources, displayBackend } from '../../orchestrator/offers';
import { finalMessage } from '../../orchestrator/display';
import { RunExistsError, updateInPlace } from '../../orchestrator/orchestrator';
import { submitRunWithCode, type PreparedUpload } from '../../orchestrator/code-upload';
import { planDevEnvironment, PlanError, type RunPlan } from '../../orchestrator/plan';
import { isActiveRun, type RunRecord } from '../../orchestrator/model/run';
import { checkInPlaceUpdate, resolveEnv } from '../../schema';
import type { Configuration, DevEnvironmentConfiguration } from '../../schema/model';
import { LogFollower } from '../../orchestrator/logs';
import { isDstackFile } from '../dstack-files';
import { keepTypedSecrets, looksSecret, typedEnv } from '../env-secrets';
import { openWhenReady } from '../open-on-ready';
import { REMOTE_SSH_EXTENSIONS } from '../remote-ssh';
import { RunProgressTracker } from '../run-progress';
import { vsCodeBuild, vsCodeServerInitLines } from '../vscode-server';
import type { PlanView } from '../protocol';
import { formatDollars } from '../protocol';
import { projectedCost } from '../run-figures';
import type { CommandContext } from './context';
import { describeConfiguration } from './describe-configuration';
import { planApplyUpload, uploadView } from './apply-upload';

/** What the apply command did, returned to callers (tests, other commands). */
export type ApplyOutcome =
  | { status: 'no-file'; message: string }
  | { status: 'invalid'; file: string; problems: number; message: string }
  | { status: 'unsupported'; file: string; summary: string; message: string }
  | { status: 'cancelled'; file: string; message: string }
  | { status: 'plan-error'; file: string; message: string }
  | { status: 'upload-error'; file: string; message: string }
  | { status: 'no-offers'; file: string; message: string }
  | { status: 'planned'; file: string; planId: string; offers: number; message: string }
  | { status: 'exists'; file: string; run: string; message: string }
  | { status: 'updated'; file: string; run: string; fields: string[]; message: string }
  | { status: 'running' | 'failed'; file: string; run: string; message: string; /** The folder URI opened on ready (dstack.openOnReady). */ opened?: string };

/** Options a caller (test, API, offers view) passes instead of answering prompts. */
export interface ApplyOptions {
  /** Provision this offer of the plan without asking. */
  offerIndex?: number;
  /** Values for env names the file leaves empty (else asked with input boxes). */
  env?: Record<string, string>;
  /** When the run is active and only in-place fields changed, update it without asking. */
  updateInPlace?: boolean;
  /** Receives each line the progress notification shows (stages, attempts); tests record them. */
  onProgress?: (line: string) => void;
}

/** A plan waiting for the user's choice in the offers view. */
interface PendingPlan {
  plan: RunPlan;
  /** The code upload planned (and limit-checked) with it: the run carries exactly this. */
  upload: PreparedUpload;
  view: PlanView;
  file: string;
  name: string | null;
  /** Typed secret-looking env values, by secret name: stored only when the run is submitted. */
  secrets: Record<string, string>;
  onProgress?: (line: string) => void;
}

const pending = new Map<string, PendingPlan>();

async function readText(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  return vscode.window.activeTextEditor?.document.uri;
}

/** The options argument, when the second argument is one (the explorer passes the selected URIs there). */
export function applyOptions(arg: unknown): ApplyOptions {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg) || arg instanceof vscode.Uri) return {};
  return arg as ApplyOptions;
}

/** The picker's view of a plan, with its code upload. */
export function planView(plan: RunPlan, file: string, name: string | null, upload: PreparedUpload | null = null): PlanView {
  const inactivity = plan.spec.inactivityDuration;
  return {
    id: randomUUID(), file, runName: name, inactivityDuration: inactivity, total: plan.totalOffers, upload: upload ? uploadView(upload) : null,
    offers: plan.offers.map((o, index) => ({
      index, backend: displayBackend(o.backend), region: o.region, instanceType: o.instanceType, resources: prettyOfferResources(o.resources),
      spot: o.resources.spot, pricePerHour: o.pricePerHour, availability: o.availability, projectedCost: projectedCost(o.pricePerHour, inactivity),
    })),
  };
}

async function askMissingEnv(config: DevEnvironmentConfiguration, file: string, given: Record<string, string>): Promise<Record<string, string> | undefined> {
  const { missing } = resolveEnv(config.env, given, process.env);
  const values = { ...given };
  for (const name of missing) {
    const value = await vscode.window.showInputBox({
      title: `dstack: ${file}`, password: looksSecret(name), ignoreFocusOut: true,
      prompt: `env.${name} has no value in ${file}; enter it for this run${looksSecret(name) ? ' (kept in VS Code\'s SecretStorage, never in the state file)' : ''}`,
    });
    if (value === undefined) return undefined;
    values[name] = value;
  }
  return values;
}

/** Runs "dstack: Apply" on the file given by the explorer/editor title, or on the active editor's file. */
export async function applyCommand(ctx: CommandContext, arg?: unknown, options: ApplyOptions = {}): Promise<ApplyOutcome> {
  const uri = targetUri(arg);
  if (!uri || !isDstackFile(uri.fsPath)) {
    const message = 'dstack: Apply needs a *.dstack.yml, *.dstack.yaml or .dstack.yml file: open one or right-click it in the Explorer.';
    void vscode.window.showErrorMessage(message);
    return { status: 'no-file', message };
  }
  const file = path.basename(uri.fsPath);
  const result = ctx.diagnostics.validate(uri, await readText(uri));
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || result.configuration === null || result.configuration === undefined) {
    const problems = Math.max(1, errors.length);
    const first = errors[0];
    const where = first ? ` First: ${file}:${first.line}:${first.column}: ${first.message}` : '';
    const message = `dstack: ${file} has ${problems} problem(s) and was not applied; see the Problems panel.${where}`;
    ctx.log(`apply ${file}: invalid (${problems} problem(s))`);
    void vscode.window.showErrorMessage(message, 'Show Problems').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
    return { status: 'invalid', file, problems, message };
  }
  const config = result.configuration;
  const summary = describeConfiguration(config);
  if (config.type !== 'dev-environment') {
    const message = `dstack: ${file} is a ${config.type}; Apply provisions dev environments only (type: dev-environment).`;
    void vscode.window.showWarningMessage(message);
    return { status: 'unsupported', file, summary, message };
  }
  const typed = await askMissingEnv(config, file, options.env ?? {});
  if (!typed) return { status: 'cancelled', file, message: `dstack: Apply of ${file} cancelled (an env value was not given).` };
  // Secret-looking typed values go to SecretStorage at submit; the run's env only references them.
  const env = typedEnv(typed, uri.fsPath);
  let plan: RunPlan;
  try {
    plan = await planDevEnvironment(config, {
      configurationPath: uri.fsPath, envOverrides: env.env, processEnv: process.env, secrets: { ...(await ctx.host.runtime.secrets.all()), ...env.secrets }, backends: ctx.host.runtime.backends.values(),
    });
  } catch (err) {
    if (!(err instanceof PlanError)) throw err;
    void vscode.window.showErrorMessage(`dstack: cannot plan ${file}: ${err.message}`, 'Open file').then((c) => {
      if (c) void vscode.window.showTextDocument(uri);
    });
    return { status: 'plan-error', file, message: err.message };
  }
  const name = config.name ?? null;
  const existing = name ? (await ctx.host.state()).runs.find((r) => r.name === name && isActiveRun(r)) : undefined;
  if (existing && name) return reapply(ctx, file, existing, plan, options);
  // The code upload is planned and its limit checked before anything is shown or provisioned.
  const planned = await planApplyUpload(ctx, uri.fsPath, file);
  if ('error' in planned) return { status: 'upload-error', file, message: planned.error };
  const view = planView(plan, file, name, planned.upload);
  pending.set(view.id, { plan, upload: planned.upload, view, file, name, secrets: env.secrets, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  ctx.log(`apply ${file}: ${summary}; ${plan.offers.length} offer(s) of ${plan.totalOffers}`);
  await ctx.offers.show(view);
  if (plan.spec.offers.length === 0) {
    const message = `dstack: no offers match ${file}; relax resources (e.g. gpu) or spot_policy, or check the backends.`;
    void vscode.window.showWarningMessage(message);
    return { status: 'no-offers', file, message };
  }
  if (options.offerIndex !== undefined) return provisionChoice(ctx, view.id, options.offerIndex);
  const first = plan.spec.offers[0];
  const cheapest = first ? `${displayBackend(first.backend)} (${first.region}) ${first.instanceType} at ${formatDollars(first.pricePerHour)}/h` : '';
  void vscode.window.showInformationMessage(`dstack: ${plan.spec.offers.length} offer(s) for ${file}. Provision ${cheapest}?`, 'Provision', 'Choose in Offers view')
    .then((choice) => {
      if (choice === 'Provision') void provisionChoice(ctx, view.id, 0);
    });
  return { status: 'planned', file, planId: view.id, offers: plan.spec.offers.length, message: `dstack: ${file}: choose an offer in the Offers view` };
}

/** Re-applying to an active run: dstack updates inactivity_duration (and a few fields) in place; anything else needs a stop. */
async function reapply(ctx: CommandContext, file: string, existing: RunRecord, plan: RunPlan, options: ApplyOptions): Promise<ApplyOutcome> {
  const name = existing.name;
  const verdict = checkInPlaceUpdate(existing.spec.configuration as unknown as Configuration, plan.spec.configuration as unknown as Configuration);
  const fields = verdict.changedFields;
  if (fields.length === 0) {
    const message = `dstack: run ${name} is already active with this configuration; nothing to apply.`;
    void vscode.window.showInformationMessage(message);
    return { status: 'exists', file, run: name, message };
  }
  if (!verdict.updatable) {
    const message = `dstack: run ${name} is active and ${fields.join(', ')} cannot change in place; stop it, then apply again.`;
    void vscode.window.showErrorMessage(message, 'Stop it').then((c) => {
      if (c) void vscode.commands.executeCommand('dstack.stop', name);
    });
    return { status: 'exists', file, run: name, message };
  }
  const ok = options.updateInPlace === true
    || (await vscode.window.showInformationMessage(`dstack: run ${name} is active; update ${fields.join(', ')} in place?`, 'Update')) === 'Update';
  if (!ok) return { status: 'cancelled', file, message: `dstack: run ${name} left unchanged.` };
  await updateInPlace(ctx.host.runtime.store, name, plan.spec);
  ctx.host.runtime.leader.poke();
  await ctx.host.refresh(true);
  const message = `dstack: run ${name} updated in place (${fields.join(', ')}).`;
  void vscode.window.showInformationMessage(message);
  return { status: 'updated', file, run: name, fields, message };
}

/** Provisions offer `index` of a pending plan (the offers view's choose, or Apply with an offer index). */
export async function provisionChoice(ctx: CommandContext, planId: string, index: number): Promise<ApplyOutcome> {
  const entry = pending.get(planId);
  if (!entry) {
    void vscode.window.showWarningMessage('dstack: that plan is out of date; apply the file again.');
    return { status: 'cancelled', file: '', message: 'stale plan' };
  }
  const { plan, file } = entry;
  const chosen = plan.offers[index];
  if (!chosen) return { status: 'cancelled', file, message: `offer ${index} is not in the plan` };
  pending.delete(planId);
  // The chosen offer first; the plan's others stay behind it as failover. The VS Code server pre-install
  // (best effort, this window's commit) runs before the file's init.
  const init = [...preinstallInitLines(), ...plan.spec.init];
  const spec = { ...plan.spec, init, offers: [chosen, ...plan.spec.offers.filter((o) => o !== chosen)] };
  let run: RunRecord;
  try {
    await keepTypedSecrets(ctx.host.runtime.secrets, entry.secrets);
    run = await submitRunWithCode(ctx.host.runtime, spec, entry.name, entry.upload);
  } catch (err) {
    if (!(err instanceof RunExistsError)) throw err;
    const message = `dstack: run ${err.runName} is already active; stop it first, then apply again.`;
    void vscode.window.showErrorMessage(message, 'Stop it').then((c) => {
      if (c) void vscode.commands.executeCommand('dstack.stop', err.runName);
    });
    return { status: 'exists', file, run: err.runName, message };
  }
  ctx.host.runtime.leader.poke();
  ctx.log(`apply ${file}: submitted run ${run.name}`);
  return follow(ctx, planId, file, run, entry.onProgress);
}

/** The init lines that pre-install this window's VS Code server, unless `dstack.preinstallVsCodeServer` is off. */
export function preinstallInitLines(): string[] {
  if (vscode.workspace.getConfiguration('dstack').get<boolean>('preinstallVsCodeServer') === false) return [];
  const build = vsCodeBuild(vscode.env.appRoot);
  return build ? vsCodeServerInitLines(build) : [];
}

/** Follows a submitted run in a progress notification (stages, every attempt) and streams its init output. */
async function follow(ctx: CommandContext, planId: string, file: string, submitted: RunRecord, onProgress?: (line: string) => void): Promise<ApplyOutcome> {
  const name = submitted.name;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `dstack: ${name}`, cancellable: false }, async (progress) => {
    const tracker = new RunProgressTracker(submitted.id);
    const logs = new LogFollower(ctx.host.runtime.backends);
    let partial = '';
    let current: RunRecord | undefined = submitted;
    const streamLogs = (): void => {
      if (!current) return;
      const lines = (partial + logs.poll(current)).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) ctx.runLogs.appendLine(`[${name}] ${line}`);
    };
    // Init output grows without a store change: poll it while the run starts.
    const timer = setInterval(streamLogs, 1000);
    try {
      const state = await ctx.host.waitFor((s) => {
        current = s.runs.find((x) => x.id === submitted.id);
        for (const line of tracker.update(s)) {
          ctx.runLogs.appendLine(`[${name}] ${line}`);
          progress.report({ message: line });
          ctx.offers.showStatus(planId, { run: name, text: line });
          onProgress?.(line);
        }
        streamLogs();
        return !current || !['submitted', 'pending', 'provisioning', 'terminating'].includes(current.status);
      });
      const run = state.runs.find((x) => x.id === submitted.id);
      streamLogs();
      if (partial) ctx.runLogs.appendLine(`[${name}] ${partial}`);
      if (run?.status === 'running') {
        const opened = await openWhenReady(ctx, name);
        const uri = opened?.status === 'done' ? opened.uri : undefined;
        const remoteSsh = ctx.remoteSsh();
        const message = `dstack: ${name} is running (${file})${uri ? '; opened in a new window' : remoteSsh ? '' : `; install Remote-SSH to open it in VS Code, or \`ssh ${name}\``}.`;
        const open = uri ? [] : remoteSsh ? ['Open in VS Code'] : ['Install Remote-SSH'];
        void vscode.window.showInformationMessage(message, ...open, 'Show logs').then((c) => {
          if (c === 'Open in VS Code') void vscode.commands.executeCommand('dstack.openInVsCode', name);
          if (c === 'Install Remote-SSH') void vscode.commands.executeCommand('workbench.extensions.installExtension', REMOTE_SSH_EXTENSIONS[0]);
          if (c === 'Show logs') void vscode.commands.executeCommand('dstack.showLogs', name);
        });
        return { status: 'running', file, run: name, message, ...(uri ? { opened: uri } : {}) };
      }
      const why = run ? finalMessage(run) : 'gone';
      const message = `dstack: ${name} did not start: ${why}.`;
      ctx.offers.showStatus(planId, { run: name, text: why });
      onProgress?.(why);
      void vscode.window.showErrorMessage(message, 'Show logs').then((c) => {
        if (c) void vscode.commands.executeCommand('dstack.showLogs', name);
      });
      return { status: 'failed', file, run: name, message };
    } finally {
      clearInterval(timer);
    }
  });
}
