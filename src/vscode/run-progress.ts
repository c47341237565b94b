// What the Apply notification says while a run starts: its stage (provisioning, uploading, init, ready) and
// every provisioning attempt (failover included), derived from the stored run so every window can follow it,
// not only the one whose scheduler emits the events.
import { displayBackend } from '../orchestrator/offers';
import type { ProvisioningAttempt, RunRecord } from '../orchestrator/model/run';
import type { OrchestratorState } from '../orchestrator/store/state';

/** The stages of a starting run, in order. */
export type ApplyStage = 'provisioning' | 'uploading' | 'init' | 'ready';

/** The words of each stage in the notification. */
export const STAGE_TEXT: Record<ApplyStage, string> = {
  provisioning: 'provisioning', uploading: 'uploading code', init: 'running init', ready: 'ready',
};

/** The stage of a run, or null once it is neither starting nor running (finished, terminating). */
export function stageOf(run: RunRecord): ApplyStage | null {
  if (run.status === 'running') return 'ready';
  if (run.status !== 'submitted' && run.status !== 'pending' && run.status !== 'provisioning') return null;
  if (run.jobStatus === 'pulling') return 'init';
  if (run.jobStatus === 'provisioning' && run.instanceId !== null) return 'uploading';
  return 'provisioning';
}

/** One attempt in words: `offer 2/3: remote (lab) host-1: no capacity; trying the next offer`. */
export function attemptText(a: ProvisioningAttempt, offers: number): string {
  const what = `offer ${a.offerIndex + 1}/${offers}: ${displayBackend(a.backend)} (${a.region}) ${a.instanceType}`;
  if (a.outcome === 'created') return `${what}: created`;
  const next = a.offerIndex + 1 < offers ? '; trying the next offer' : '';
  return `${what}: ${a.outcome.replace(/_/g, ' ')}${next}`;
}

/** Follows one run through successive states; each update returns the new lines to report. */
export class RunProgressTracker {
  private stage: ApplyStage | null = null;
  private attempts = 0;

  constructor(private readonly runId: string) {}

  /** The lines this state adds (new attempts first, then a changed stage). */
  update(state: OrchestratorState): string[] {
    const run = state.runs.find((r) => r.id === this.runId);
    if (!run) return [];
    const lines = run.attempts.slice(this.attempts).map((a) => attemptText(a, run.spec.offers.length));
    this.attempts = run.attempts.length;
    const stage = stageOf(run);
    if (stage && stage !== this.stage) {
      this.stage = stage;
      lines.push(STAGE_TEXT[stage]);
    }
    return lines;
  }
}
