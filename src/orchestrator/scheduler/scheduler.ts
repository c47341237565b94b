// The scheduler: one pass (`tick`) refreshes instances, applies the pure transitions, provisions
// submitted runs (failover across the plan's offers, write-ahead before every create) and terminates
// what must go. Every store write is fenced by the leader lease; time comes from the injectable clock.

import { BackendError, type Backend, type InstanceJob, type ProviderInstance } from '../../backends/backend';
import type { BackendId } from '../../backends/offer';
import type { Clock } from '../clock';
import { EventBus, type OrchestratorEvent } from '../events';
import type { InstanceRecord, ProvisioningAttempt, RunRecord } from '../model/run';
import type { OrchestratorState } from '../store/state';
import type { Store } from '../store/store';
import { PlanError, resolveSecrets } from '../plan';
import {
  applyTransitions, beginTermination, DEFAULT_PROVISIONING_TIMEOUT_SECS, setInstanceStatus, setRunStatus, terminateInstance,
} from './transitions';
import type { SshPublisher } from './ssh-publisher';
import { MetricsStore } from '../metrics/metrics-store';
import { removeFinishedArchives, sweepCodeArchives } from '../code-archives';
import { GpuActivityTracker } from '../metrics/gpu-activity';

/** What a scheduler needs. */
export interface SchedulerOptions {
  store: Store;
  backends: ReadonlyMap<BackendId, Backend>;
  clock: Clock;
  /** This process's lease owner id; every write is fenced by it. */
  owner: string;
  events?: EventBus;
  provisioningTimeoutSecs?: number;
  /** The public key put on created instances (the SSH engineer's seam). */
  sshPublicKey?: string;
  /** Secret values for `${{ secrets.X }}` in the env, read when an instance is created (never stored). */
  secrets?: () => Promise<Record<string, string>>;
  /** Publishes running environments for `ssh <run-name>` and retracts the others after each pass; also gives the client key. */
  ssh?: SshPublisher;
}

/** The instance id (idempotency key) of one offer of one submission. */
export function instanceIdFor(run: RunRecord, offerIndex: number): string {
  return `${run.id}-s${run.submission}-o${offerIndex}`;
}

/** Drives runs and instances; call `tick` while holding the lease. */
export class Scheduler {
  readonly events: EventBus;
  /** The samples of running environments (`metrics`), kept beside the state so the state is not rewritten for them. */
  readonly metrics: MetricsStore;
  private unreachable = false;
  /** What utilization policies judge: each GPU's last busy sample, kept in memory (the state gets minute bounds). */
  readonly gpus = new GpuActivityTracker();
  constructor(private readonly options: SchedulerOptions) {
    this.events = options.events ?? new EventBus();
    this.metrics = new MetricsStore(options.store.dir);
  }

  /** Whether the last pass could not reach an instance (or ask its provider): the leader checks again sooner. */
  get sawUnreachable(): boolean {
    return this.unreachable;
  }

  /** One full pass. Returns the state after it. */
  async tick(): Promise<OrchestratorState> {
    const { store, clock } = this.options;
    const before = await store.read();
    const views = await this.refreshAll(before);
    const now = clock.now();
    const gpuActivity = this.gpus.observe(before, views, now);
    let events: OrchestratorEvent[] = [];
    const mid = await this.update((s) => {
      events = applyTransitions(s, views, now, { provisioningTimeoutSecs: this.options.provisioningTimeoutSecs ?? DEFAULT_PROVISIONING_TIMEOUT_SECS, backends: this.options.backends }, gpuActivity);
      return s;
    });
    this.gpus.settled(mid);
    this.emit(events);
    await this.removeArchivesOfFinished(mid, events);
    this.metrics.recordPass(mid, views);
    const kept = await this.releaseIdle(mid);
    const submitted = kept.runs.filter((r) => r.status === 'submitted' && r.stopRequest === null);
    for (const run of submitted) await this.provision(run.id);
    const afterProvision = submitted.length > 0 ? await store.read() : kept;
    const terminating = afterProvision.instances.filter((i) => i.status === 'terminating');
    await this.terminatePending(terminating);
    const after = submitted.length > 0 || terminating.length > 0 ? await store.read() : afterProvision;
    await this.syncSsh(after);
    return after;
  }

  /** Removes the code archives of the runs that finished in this pass (the sweep catches any a crash left). */
  private async removeArchivesOfFinished(state: OrchestratorState, events: readonly OrchestratorEvent[]): Promise<void> {
    const ended = new Set(events.flatMap((e) => (e.kind === 'run_status' && (e.status === 'terminated' || e.status === 'failed' || e.status === 'done') ? [e.run] : [])));
    if (ended.size > 0) await removeFinishedArchives(state.runs.filter((r) => ended.has(r.name)));
  }

  /** Matches the published SSH entries to the state; a failure is retried on the next pass. */
  private async syncSsh(state: OrchestratorState): Promise<void> {
    try {
      await this.options.ssh?.sync(state);
    } catch {
      // The ssh config could not be written this pass (lock held, unreadable user config): next pass.
    }
  }

  /**
   * Orphan sweep: everything a backend reports with our installation's tags that the store does not
   * know (or believes terminated) is recorded and terminated, so nothing that costs money is forgotten;
   * code archives no active run carries are removed.
   */
  async reconcile(): Promise<number> {
    const state = await this.options.store.read();
    let found = 0;
    for (const backend of this.options.backends.values()) {
      const tagged = await backend.listTagged(state.installation);
      const now = this.options.clock.now();
      const events: OrchestratorEvent[] = [];
      const adopted = await this.update((s) => {
        let n = 0;
        for (const p of tagged) {
          if (p.state === 'gone') continue;
          const known = s.instances.find((i) => i.id === p.instanceId);
          if (known && known.status !== 'terminated') continue;
          n++;
          if (known) {
            known.status = 'provisioning';
            terminateInstance({ now, events }, known, 'orphan');
            continue;
          }
          const record: InstanceRecord = {
            id: p.instanceId, backend: backend.id, offer: orphanOffer(backend.id), status: 'provisioning', runId: null,
            createdForRun: p.tags.runName, createdAt: now, statusChangedAt: now, idleSince: null, idleDuration: 0, terminationReason: null,
          };
          if (p.providerId) record.providerId = p.providerId;
          s.instances.push(record);
          terminateInstance({ now, events }, record, 'orphan');
        }
        return n;
      });
      this.emit(events);
      found += adopted;
    }
    const after = await this.options.store.read();
    await sweepCodeArchives(this.options.store.dir, after).catch(() => 0);
    await this.syncSsh(after);
    return found;
  }

  private async refreshAll(state: OrchestratorState): Promise<Map<string, ProviderInstance>> {
    const views = new Map<string, ProviderInstance>();
    const byBackend = new Map<BackendId, string[]>();
    this.unreachable = false;
    for (const inst of state.instances) {
      if (inst.status === 'terminated' || inst.status === 'pending') continue;
      byBackend.set(inst.backend, [...(byBackend.get(inst.backend) ?? []), inst.id]);
    }
    for (const [id, ids] of byBackend) {
      const backend = this.options.backends.get(id);
      if (!backend) continue;
      try {
        for (const v of await backend.refresh(ids)) {
          views.set(v.instanceId, v);
          if (v.unreachable === true) this.unreachable = true;
        }
      } catch {
        // The provider could not be asked this pass (network): treat every instance as unknown, not gone.
        this.unreachable = true;
      }
    }
    return views;
  }

  /** Tries the plan's offers in order from the run's next offer, recording each attempt. */
  private async provision(runId: string): Promise<void> {
    for (;;) {
      const state = await this.options.store.read();
      const run = state.runs.find((r) => r.id === runId);
      if (!run || run.status !== 'submitted' || run.stopRequest !== null) return;
      const reused = await this.tryReuse(run);
      if (reused) return;
      const existing = run.instanceId ? state.instances.find((i) => i.id === run.instanceId) : undefined;
      let offerIndex = existing?.status === 'pending' ? offerIndexOf(run, existing) : run.nextOfferIndex;
      // Never create again under an id whose record is already past `pending` (being or already terminated).
      while (existing?.status !== 'pending' && state.instances.some((i) => i.id === instanceIdFor(run, offerIndex) && i.status !== 'pending')) offerIndex++;
      const offer = run.spec.offers[offerIndex];
      if (!offer) {
        const now = this.options.clock.now();
        const events: OrchestratorEvent[] = [];
        await this.update((s) => {
          const r = s.runs.find((x) => x.id === runId);
          if (r?.status === 'submitted') beginTermination({ now, events }, r, 'failed_to_start_due_to_no_capacity');
        });
        this.emit(events);
        return;
      }
      const backend = this.options.backends.get(offer.backend);
      const id = existing?.status === 'pending' ? existing.id : instanceIdFor(run, offerIndex);
      // Write-ahead: the instance (and its idempotency key) is in the store before the provider is asked.
      const started = await this.update((s) => {
        const r = s.runs.find((x) => x.id === runId);
        if (!r || r.status !== 'submitted' || r.stopRequest !== null) return false;
        if (!s.instances.some((i) => i.id === id)) {
          const now = this.options.clock.now();
          s.instances.push({
            id, backend: offer.backend, offer, status: 'pending', runId, createdForRun: r.name, createdAt: now, statusChangedAt: now,
            idleSince: null, idleDuration: r.spec.idleDuration, terminationReason: null,
          });
        }
        if (s.instances.find((i) => i.id === id)?.status !== 'pending') return false;
        r.instanceId = id;
        return true;
      });
      if (!started) return;
      this.emit([{ kind: 'progress', run: run.name, stage: 'provisioning' }]);
      let outcome: ProvisioningAttempt['outcome'] = 'created';
      let error: string | undefined;
      let view: ProviderInstance | undefined;
      try {
        if (!backend) throw new BackendError('invalid', `backend '${offer.backend}' is not configured`);
        view = await backend.create(offer, { installation: state.installation, runName: run.name, instanceId: id }, await this.sshPublicKey(), await this.jobFor(run));
      } catch (err) {
        outcome = err instanceof BackendError ? err.code : err instanceof PlanError ? 'invalid' : 'error';
        error = err instanceof Error ? err.message : String(err);
      }
      const now = this.options.clock.now();
      const attempt: ProvisioningAttempt = {
        at: now, submission: run.submission, offerIndex, backend: offer.backend, region: offer.region,
        instanceType: offer.instanceType, pricePerHour: offer.pricePerHour, outcome,
      };
      if (error !== undefined) attempt.error = error;
      const events: OrchestratorEvent[] = [{ kind: 'attempt', run: run.name, attempt }];
      await this.update((s) => {
        const r = s.runs.find((x) => x.id === runId);
        const inst = s.instances.find((i) => i.id === id);
        if (!r || !inst) return;
        r.attempts.push(attempt);
        if (outcome !== 'created') {
          terminateInstance({ now, events }, inst, 'create_failed');
          if (r.instanceId === id) r.instanceId = null;
          r.nextOfferIndex = offerIndex + 1;
          return;
        }
        if (inst.status === 'pending') setInstanceStatus({ now, events }, inst, 'provisioning');
        if (view?.providerId) inst.providerId = view.providerId;
        if (r.status === 'submitted' && r.instanceId === id) {
          r.provisionedAt = now;
          setRunStatus({ now, events }, r, 'provisioning', 'provisioning');
        }
      });
      this.emit(events);
      if (outcome === 'created') return;
    }
  }

  /** The public key put on created instances (and on reused ones). */
  private async sshPublicKey(): Promise<string> {
    return this.options.sshPublicKey ?? (await this.options.ssh?.clientPublicKey()) ?? '';
  }

  /** What the instance runs for `run`: init, env with the secrets resolved now, policies, code, registry login. */
  private async jobFor(run: RunRecord): Promise<InstanceJob> {
    const spec = run.spec;
    const env = resolveSecrets(spec.env, (await this.options.secrets?.()) ?? {});
    const job: InstanceJob = {
      runId: run.id, runName: run.name, init: spec.init, env, workingDir: spec.workingDir,
      inactivityDuration: spec.inactivityDuration, maxDuration: spec.maxDuration, leaseFile: this.options.store.leaseFile,
    };
    if (spec.codeArchive !== undefined) job.codeArchive = spec.codeArchive;
    if (spec.repoId !== undefined) job.repoId = spec.repoId;
    job.configurationPath = spec.configurationPath;
    job.configuration = spec.configuration;
    const auth = spec.configuration['registry_auth'] as { username?: unknown; password?: unknown } | null | undefined;
    if (auth && typeof auth.username === 'string' && typeof auth.password === 'string') {
      job.registryAuth = resolveSecrets({ username: auth.username, password: auth.password }, (await this.options.secrets?.()) ?? {}) as { username: string; password: string };
    }
    return job;
  }

  /**
   * Tells the backends of idle instances to stop the environment and keep the machine (a no-op once done); an
   * instance whose backend cannot release it is terminated instead: nothing that may still run a job is kept.
   */
  private async releaseIdle(state: OrchestratorState): Promise<OrchestratorState> {
    const failed: string[] = [];
    for (const inst of state.instances) {
      const backend = this.options.backends.get(inst.backend);
      if (inst.status !== 'idle' || !backend?.release) continue;
      try {
        await backend.release(inst.id, inst.idleDuration);
      } catch {
        failed.push(inst.id);
      }
    }
    if (failed.length === 0) return state;
    const now = this.options.clock.now();
    const events: OrchestratorEvent[] = [];
    const after = await this.update((s) => {
      for (const inst of s.instances) if (failed.includes(inst.id) && inst.status === 'idle') terminateInstance({ now, events }, inst, 'run_finished');
      return s;
    });
    this.emit(events);
    return after;
  }

  /**
   * Takes an idle instance whose offer is one of the run's plan offers (dstack uses idle capacity first). Its
   * backend starts the run's job on it (when it runs environments itself) before the store records the reuse.
   */
  private async tryReuse(run: RunRecord): Promise<boolean> {
    if (run.instanceId !== null) return false;
    const keys = new Set(run.spec.offers.map(offerIdentity));
    const state = await this.options.store.read();
    const candidate = state.instances.find((i) => i.status === 'idle' && keys.has(offerIdentity(i.offer)));
    if (!candidate) return false;
    const backend = this.options.backends.get(candidate.backend);
    if (backend?.reuse) {
      try {
        await backend.reuse(candidate.offer, { installation: state.installation, runName: run.name, instanceId: candidate.id }, await this.sshPublicKey(), await this.jobFor(run));
      } catch {
        // Not reusable now (the job could not be kept): a new instance is created instead; the idle one stays idle.
        return false;
      }
    }
    const now = this.options.clock.now();
    const events: OrchestratorEvent[] = [];
    const taken = await this.update((s) => {
      const r = s.runs.find((x) => x.id === run.id);
      const inst = s.instances.find((i) => i.id === candidate.id && i.status === 'idle');
      if (!r || !inst || r.status !== 'submitted' || r.instanceId !== null) return false;
      inst.runId = r.id;
      setInstanceStatus({ now, events }, inst, 'provisioning');
      r.instanceId = inst.id;
      r.provisionedAt = now;
      const o = inst.offer;
      const attempt: ProvisioningAttempt = {
        at: now, submission: r.submission, offerIndex: Math.max(0, r.spec.offers.findIndex((x) => offerIdentity(x) === offerIdentity(o))), backend: o.backend,
        region: o.region, instanceType: o.instanceType, pricePerHour: o.pricePerHour, outcome: 'created', reusedInstanceId: inst.id,
      };
      r.attempts.push(attempt);
      events.push({ kind: 'attempt', run: r.name, attempt });
      setRunStatus({ now, events }, r, 'provisioning', 'provisioning');
      return true;
    });
    this.emit(events);
    return taken;
  }

  /** Calls terminate (idempotent) on every instance being terminated; refresh later sees it gone. */
  private async terminatePending(instances: InstanceRecord[]): Promise<void> {
    for (const inst of instances) {
      try {
        await this.options.backends.get(inst.backend)?.terminate(inst.id);
      } catch {
        // Retried on the next pass: the record stays `terminating` until the provider reports it gone.
      }
    }
  }

  private update<T>(mutate: (s: OrchestratorState) => T): Promise<T> {
    return this.options.store.update(mutate, { leaseOwner: this.options.owner });
  }

  private emit(events: OrchestratorEvent[]): void {
    for (const e of events) this.events.emit(e);
  }
}

function offerIndexOf(run: RunRecord, inst: InstanceRecord): number {
  const m = /-o(\d+)$/.exec(inst.id);
  return m ? Number(m[1]) : run.nextOfferIndex;
}

/** Identity of an offer for reuse: backend, region, instance type and spot. */
function offerIdentity(o: { backend: string; region: string; instanceType: string; resources: { spot: boolean } }): string {
  return `${o.backend}/${o.region}/${o.instanceType}/${o.resources.spot}`;
}

function orphanOffer(backend: BackendId): InstanceRecord['offer'] {
  return {
    backend, region: '', instanceType: 'unknown', pricePerHour: 0, availability: 'unknown',
    resources: { cpuArch: 'x86', cpus: 0, memoryGB: 0, diskGB: 0, gpus: [], spot: false },
  };
}
