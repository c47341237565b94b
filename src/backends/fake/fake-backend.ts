// A scriptable fake backend that implements the Backend contract exactly (idempotent create by
// instanceId, `gone` as a value, idempotent terminate, tags) and persists its instances to a JSON file
// (atomically, under a lock) so several processes share it and crash tests can count leaks.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { BackendError, type AgentReport, type Backend, type BackendCapabilities, type ProviderInstance, type ProviderState, type Requirements, type ResourceTags } from '../backend';
import type { Offer } from '../offer';
import { readFileIfExists, writeFileAtomic } from '../../orchestrator/store/atomic-file';
import { withFileLock } from '../../orchestrator/store/lock';
import { systemClock, type Clock } from '../../orchestrator/clock';
import { defaultFakeScript, offerKey, type FakeFile, type FakeInstance, type FakeScript } from './fake-state';

/** The memory of every fake GPU (24 GB, like the fake offers' A10G). */
const FAKE_GPU_MEMORY_BYTES = 24 * 2 ** 30;

/** The fake backend over one state file. */
export class FakeBackend implements Backend {
  readonly id = 'fake' as const;
  readonly capabilities: BackendCapabilities = { spot: true, containerNative: false, billable: true, configurableDisk: true, reusable: true };

  constructor(readonly file: string, private readonly clock: Clock = systemClock) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }

  /** Changes the script (merged over the current one). */
  async script(change: Partial<FakeScript>): Promise<void> {
    await this.mutate((f) => {
      f.script = { ...f.script, ...change };
    });
  }

  /** Schedules a spot interruption of one instance at clock time `at`. */
  async interrupt(instanceId: string, at: number = this.clock.now()): Promise<void> {
    await this.mutate((f) => {
      const inst = f.instances.find((i) => i.instanceId === instanceId);
      if (inst) inst.interruptAt = at;
    });
  }

  /** Records SSH activity on an instance now (what the agent would see). */
  async touch(instanceId: string): Promise<void> {
    await this.mutate((f) => {
      const inst = f.instances.find((i) => i.instanceId === instanceId);
      if (inst) inst.activityAt = this.clock.now();
    });
  }

  /** Sets the GPU utilization the instance reports: one percent per GPU (a number = one GPU). */
  async setGpuUtilization(instanceId: string, percent: number | number[]): Promise<void> {
    await this.mutate((f) => {
      const inst = f.instances.find((i) => i.instanceId === instanceId);
      if (inst) inst.gpuUtilization = Array.isArray(percent) ? [...percent] : [percent];
    });
  }

  /** Everything the fake ever created (alive or not), for tests and leak counting. */
  allInstances(): FakeInstance[] {
    return this.load().instances;
  }

  /** Instances that exist now (not gone), i.e. that would cost money. */
  liveInstances(): FakeInstance[] {
    const now = this.clock.now();
    const f = this.load();
    return f.instances.filter((i) => this.stateOf(i, f.script, now) !== 'gone');
  }

  async listOffers(req?: Requirements): Promise<Offer[]> {
    // Like a provider catalog: cheapest first (stable for equal prices).
    const offers = [...this.load().script.offers].sort((a, b) => a.pricePerHour - b.pricePerHour);
    if (!req) return offers;
    return offers.filter((o) => (req.spot === null || o.resources.spot === req.spot) && (req.maxPrice === null || o.pricePerHour <= req.maxPrice));
  }

  async create(offer: Offer, tags: ResourceTags): Promise<ProviderInstance> {
    const calledAt = this.clock.now();
    const latency = this.load().script.createLatencyMs;
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    return this.mutate((f) => {
      const existing = f.instances.find((i) => i.instanceId === tags.instanceId);
      if (existing) {
        existing.createCalls++;
        existing.lastCreateCallAt = Math.max(existing.lastCreateCallAt ?? 0, calledAt);
        return this.view(existing, f.script);
      }
      const key = offerKey(offer);
      const failure = f.script.failures[key];
      if (failure) throw new BackendError(failure.code, failure.message);
      const cap = f.script.capacity[key];
      const now = this.clock.now();
      const used = f.instances.filter((i) => i.offerKey === key && this.stateOf(i, f.script, now) !== 'gone').length;
      if (cap !== undefined && used >= cap) throw new BackendError('no_capacity', `fake: no capacity for ${key} (${used}/${cap} in use)`);
      const inst: FakeInstance = {
        instanceId: tags.instanceId, tags: { ...tags }, offerKey: key, spot: offer.resources.spot, createdAt: now,
        terminatedAt: null, interruptAt: null, activityAt: null, gpuUtilization: null, createCalls: 1, lastCreateCallAt: calledAt,
      };
      f.instances.push(inst);
      return this.view(inst, f.script);
    });
  }

  async refresh(instanceIds: string[]): Promise<ProviderInstance[]> {
    const f = this.load();
    return instanceIds.map((id) => {
      const inst = f.instances.find((i) => i.instanceId === id);
      if (!inst) return { instanceId: id, state: 'gone', tags: { installation: '', runName: '', instanceId: id } } satisfies ProviderInstance;
      return this.view(inst, f.script);
    });
  }

  async listTagged(installation: string): Promise<ProviderInstance[]> {
    const f = this.load();
    if (f.script.listTaggedError !== undefined) throw new BackendError('error', f.script.listTaggedError);
    const now = this.clock.now();
    return f.instances
      .filter((i) => i.tags.installation === installation && this.stateOf(i, f.script, now) !== 'gone')
      .map((i) => this.view(i, f.script));
  }

  async terminate(instanceId: string): Promise<void> {
    await this.mutate((f) => {
      const inst = f.instances.find((i) => i.instanceId === instanceId);
      if (inst && inst.terminatedAt === null) inst.terminatedAt = this.clock.now();
    });
  }

  private stateOf(inst: FakeInstance, script: FakeScript, now: number): ProviderState {
    if (inst.interruptAt !== null && now >= inst.interruptAt) return 'gone';
    if (inst.terminatedAt !== null) return now >= inst.terminatedAt + script.terminateAfterMs ? 'gone' : 'stopping';
    return now >= inst.createdAt + script.readyAfterMs ? 'running' : 'pending';
  }

  private view(inst: FakeInstance, script: FakeScript): ProviderInstance {
    const now = this.clock.now();
    const state = this.stateOf(inst, script, now);
    const out: ProviderInstance = { instanceId: inst.instanceId, state, tags: { ...inst.tags }, providerId: `fake-${inst.instanceId}` };
    if (inst.interruptAt !== null && now >= inst.interruptAt) out.interrupted = true;
    if (script.unreachable === true && state !== 'gone') {
      out.unreachable = true;
      return out;
    }
    if (state === 'running') {
      out.ssh = { host: '127.0.0.1', port: 22, user: 'root' };
      const readyAt = inst.createdAt + script.readyAfterMs;
      const report: AgentReport = { ready: script.initExitCode === undefined || script.initExitCode === 0 };
      if (script.initExitCode) report.initExitCode = script.initExitCode;
      report.noConnectionsSecs = Math.max(0, Math.floor((now - Math.max(readyAt, inst.activityAt ?? readyAt)) / 1000));
      const gpus = inst.gpuUtilization;
      if (gpus !== null && gpus.length > 0) {
        // As the agent reports them: the busiest GPU, and every GPU in the metrics sample.
        report.gpuUtilization = Math.max(...gpus);
        report.metrics = { at: now / 1000, gpus: gpus.map((u) => ({ utilizationPercent: u, memoryUsedBytes: 0, memoryTotalBytes: FAKE_GPU_MEMORY_BYTES })) };
      }
      out.report = report;
    }
    return out;
  }

  private load(): FakeFile {
    const text = readFileIfExists(this.file);
    if (text === null) return { version: 1, script: defaultFakeScript(), instances: [] };
    const parsed = JSON.parse(text) as FakeFile;
    parsed.script = { ...defaultFakeScript(), ...parsed.script };
    return parsed;
  }

  private async mutate<T>(fn: (f: FakeFile) => T): Promise<T> {
    return withFileLock(`${this.file}.lock`, () => {
      const f = this.load();
      const result = fn(f);
      writeFileAtomic(this.file, JSON.stringify(f));
      return result;
    });
  }
}
