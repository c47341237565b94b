// Drives the scheduler from a short-lived process (the CLI): lead while we can, otherwise watch the
// store while another process leads, until a condition on the state holds.

import type { Leader } from './scheduler/leader';
import type { OrchestratorState } from './store/state';
import type { Store } from './store/store';

/** The condition did not hold in time. */
export class DriveTimeoutError extends Error {
  override name = 'DriveTimeoutError';
}

/** Steps `leader` (or reads the store) every `pollMs` until `done(state)`; returns that state. Without `pollMs`, every
 *  200 ms, or as often as the leader polls a provisioning run for readiness when that is sooner. */
export async function driveUntil(
  leader: Leader, store: Store, done: (s: OrchestratorState) => boolean,
  options: { timeoutMs?: number; pollMs?: number; onState?: (s: OrchestratorState) => void } = {},
): Promise<OrchestratorState> {
  const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
  for (;;) {
    const state = (await leader.step(true)) ?? (await store.read());
    options.onState?.(state);
    if (done(state)) return state;
    if (Date.now() > deadline) throw new DriveTimeoutError('timed out waiting for the run; it continues in the background only while a VS Code window or another dstack-vsc command runs the scheduler');
    await new Promise((r) => setTimeout(r, options.pollMs ?? Math.min(200, leader.readyPollMs() ?? 200)));
  }
}
