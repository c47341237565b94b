// The orchestrator's event stream (status changes, attempts, log lines, progress stages) for the
// extension and the CLI. Events carry codes; listeners derive the words.

import type { JobStatus, JobTerminationReason, RunStatus, InstanceStatus } from './model/status';
import type { ProvisioningAttempt } from './model/run';

/** A progress stage of one run, in order. */
export type ProgressStage = 'provisioning' | 'running_init' | 'ready' | 'stopping' | 'finished';

/** One event of the stream. */
export type OrchestratorEvent =
  | { kind: 'run_status'; run: string; status: RunStatus; jobStatus: JobStatus; reason: JobTerminationReason | null }
  | { kind: 'attempt'; run: string; attempt: ProvisioningAttempt }
  | { kind: 'instance_status'; instance: string; status: InstanceStatus }
  | { kind: 'progress'; run: string; stage: ProgressStage }
  | { kind: 'log'; run: string; line: string };

/** A listener of the event stream. */
export type EventListener = (event: OrchestratorEvent) => void;

/** A tiny synchronous event bus; a throwing listener never breaks the scheduler. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  /** Subscribes; returns the unsubscribe function. */
  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers an event to every listener. */
  emit(event: OrchestratorEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A broken listener must not stop the scheduler.
      }
    }
  }
}
