// Shared fixtures for orchestrator tests: temp state dirs, offers, run specs and a scheduler over the fake.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Offer } from '../../src/backends/offer';
import type { RunSpec } from '../../src/orchestrator/model/run';
import { FakeBackend } from '../../src/backends/fake/fake-backend';
import { ManualClock } from '../../src/orchestrator/clock';
import { Scheduler } from '../../src/orchestrator/scheduler/scheduler';
import { Store } from '../../src/orchestrator/store/store';
import type { Backend } from '../../src/backends/backend';
import type { BackendId } from '../../src/backends/offer';

/** A fresh temp dir removed after the process exits. */
export function tempDir(prefix = 'dstack-vsc-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A fake offer. */
export function fakeOffer(instanceType: string, price: number, spot = false, region = 'fake-1'): Offer {
  return {
    backend: 'fake', region, instanceType, pricePerHour: price, availability: 'available',
    resources: { cpuArch: 'x86', cpus: 4, memoryGB: 16, diskGB: 100, gpus: [{ name: 'A10G', vendor: 'nvidia', memoryGB: 24 }], spot },
  };
}

/** A run spec over `offers` with every policy off unless overridden. */
export function spec(offers: Offer[], over: Partial<RunSpec> = {}): RunSpec {
  return {
    configurationPath: 'test.dstack.yml',
    requirements: { resources: { cpu: { arch: null, count: { min: 2, max: null } }, memory: { min: 8, max: null }, shm_size: null, gpu: null, disk: null }, spot: null, maxPrice: null, regions: null, instanceTypes: null },
    offers, retry: null, inactivityDuration: null, maxDuration: null, idleDuration: 0, utilizationPolicy: null,
    init: [], env: {}, workingDir: null, configuration: {}, ...over,
  };
}

/** A store, a fake backend and a scheduler on a manual clock, holding the lease. */
export async function world(): Promise<{ dir: string; store: Store; fake: FakeBackend; clock: ManualClock; scheduler: Scheduler; owner: string }> {
  const dir = tempDir();
  const clock = new ManualClock();
  const store = new Store(path.join(dir, 'state'));
  const fake = new FakeBackend(path.join(dir, 'fake.json'), clock);
  const owner = 'test-owner';
  await store.acquireLease(owner, Date.now(), 3_600_000);
  const backends = new Map<BackendId, Backend>([['fake', fake]]);
  const scheduler = new Scheduler({ store, backends, clock, owner });
  return { dir, store, fake, clock, scheduler, owner };
}
