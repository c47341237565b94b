// The environment opens by itself once it is ready: when a run applied from this window reaches `running` (init
// done, its sshd up), it is opened through Remote-SSH in a new window as soon as its `Host <run>` entry is
// published, unless `dstack.openOnReady` is off or no Remote-SSH extension is installed (a browser workbench such
// as code-server has none: the folder would open as a plain path). Only the applying window does this.
import * as vscode from 'vscode';
import type { CommandContext } from './commands/context';
import { openInVsCode, type RunCommandOutcome } from './commands/run-commands';

/** The setting (under `dstack.`) that turns opening on ready off. */
export const OPEN_ON_READY_SETTING = 'openOnReady';

/** How long to wait for the leader to publish the run's ssh entry before opening anyway (it is published in the same pass). */
const PUBLISH_WAIT_MS = 15_000;

/** Whether `dstack.openOnReady` is on (the default). */
export function openOnReadyEnabled(): boolean {
  return vscode.workspace.getConfiguration('dstack').get<boolean>(OPEN_ON_READY_SETTING) !== false;
}

/** Resolves once `ssh <name>` is published in our ssh config (true), or after `timeoutMs` (false). */
export async function sshEntryPublished(ctx: CommandContext, name: string, timeoutMs = PUBLISH_WAIT_MS): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if ((await ctx.host.runtime.ssh.access.published()).includes(name)) return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Opens the ready run `name` in a new window when the setting is on and Remote-SSH is there; null otherwise. Failures are shown, not thrown. */
export async function openWhenReady(ctx: CommandContext, name: string): Promise<RunCommandOutcome | null> {
  if (!openOnReadyEnabled()) return null;
  if (!ctx.remoteSsh()) {
    ctx.log(`open on ready: no Remote-SSH extension is installed; ${name} is not opened`);
    return null;
  }
  if (!(await sshEntryPublished(ctx, name))) ctx.log(`open on ready: ssh ${name} is not published yet; opening anyway`);
  try {
    return await openInVsCode(ctx, name);
  } catch (err) {
    const message = `dstack: could not open ${name} in VS Code: ${err instanceof Error ? err.message : String(err)}`;
    ctx.log(message);
    void vscode.window.showErrorMessage(message);
    return { status: 'not-possible', run: name, message };
  }
}
