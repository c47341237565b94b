// "dstack: Terminate Instance": ends an instance no active run is on (an idle one kept by idle_duration), from the
// runs view's instance item or the palette. The leader's scheduler calls the backend; a run's own instance is
// stopped with its run instead.
import * as vscode from 'vscode';
import type { InstanceRecord } from '../../orchestrator/model/run';
import { displayBackend, formatPrice } from '../../orchestrator/offers';
import { instancesWithoutRun, requestInstanceTermination } from '../../orchestrator/orchestrator';
import type { CommandContext } from './context';

/** What the command did (returned for tests). */
export type InstanceCommandOutcome =
  | { status: 'done'; instance: string; message: string }
  | { status: 'not-possible'; instance: string | null; message: string };

/** The instance id an argument names: an id, a runs-view instance node, or nothing (then the user picks). */
async function pickInstance(ctx: CommandContext, arg: unknown): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'object' && arg !== null && (arg as { kind?: unknown }).kind === 'instance') return (arg as { instance: InstanceRecord }).instance.id;
  const candidates = instancesWithoutRun(await ctx.host.state()).filter((i) => i.status !== 'terminating');
  if (candidates.length === 1) return candidates[0]?.id;
  const picked = await vscode.window.showQuickPick(candidates.map((i) => ({
    label: `${displayBackend(i.backend)} ${i.offer.instanceType}`, description: `${i.status} · ${formatPrice(i.offer.pricePerHour)}/h · created for ${i.createdForRun}`, id: i.id,
  })), { title: 'dstack: terminate which instance?', placeHolder: candidates.length === 0 ? 'no instance without a run' : 'choose an instance' });
  return picked?.id;
}

function notPossible(instance: string | null, message: string): InstanceCommandOutcome {
  void vscode.window.showWarningMessage(message);
  return { status: 'not-possible', instance, message };
}

/** Terminates an instance without a run. */
export async function terminateInstance(ctx: CommandContext, arg: unknown): Promise<InstanceCommandOutcome> {
  const id = await pickInstance(ctx, arg);
  if (!id) return notPossible(null, 'dstack: no instance without a run to terminate.');
  const outcome = await requestInstanceTermination(ctx.host.runtime.store, ctx.host.runtime.clock, id);
  switch (outcome) {
    case 'not-found': return notPossible(id, `dstack: instance ${id} is not in the state any more; refresh the runs view.`);
    case 'in-use': return notPossible(id, `dstack: instance ${id} is in use by an active run; stop the run instead (dstack: Stop).`);
    case 'already-terminating': return notPossible(id, `dstack: instance ${id} is already being terminated.`);
    case 'terminating': {
      ctx.host.runtime.leader.poke();
      await ctx.host.refresh(true);
      const message = `dstack: terminating instance ${id}.`;
      ctx.log(message);
      void vscode.window.showInformationMessage(message);
      return { status: 'done', instance: id, message };
    }
  }
}
