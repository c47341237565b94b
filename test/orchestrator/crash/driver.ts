// A child process for the crash and race tests: runs the real orchestrator (store, lease, scheduler)
// over the disk-persisted fake backend, applying and stopping runs until killed or done.
//   driver <stateDir> <fakeFile> work <seed> <rounds>   apply/stop runs at random (seeded)
//   driver <stateDir> <fakeFile> settle                 recover, stop everything, wait until all is terminated

import * as path from 'node:path';
import { FakeBackend } from '../../../src/backends/fake/fake-backend';
import type { Backend } from '../../../src/backends/backend';
import type { BackendId } from '../../../src/backends/offer';
import { systemClock } from '../../../src/orchestrator/clock';
import { driveUntil } from '../../../src/orchestrator/drive';
import { isActiveRun } from '../../../src/orchestrator/model/run';
import { requestStop, RunExistsError, submitRun } from '../../../src/orchestrator/orchestrator';
import { Leader, newOwnerId } from '../../../src/orchestrator/scheduler/leader';
import { Scheduler } from '../../../src/orchestrator/scheduler/scheduler';
import { Store } from '../../../src/orchestrator/store/store';
import { fakeOffer, spec } from '../helpers';

const [stateDir, fakeFile, mode, seedArg, roundsArg] = process.argv.slice(2) as [string, string, string, string?, string?];
const store = new Store(path.resolve(stateDir));
const fake = new FakeBackend(path.resolve(fakeFile));
const owner = newOwnerId();
const scheduler = new Scheduler({ store, backends: new Map<BackendId, Backend>([['fake', fake]]), clock: systemClock, owner });
const leader = new Leader(store, scheduler, owner);
const OFFERS = [fakeOffer('small', 1), fakeOffer('medium', 2), fakeOffer('large', 3)];
const NAMES = ['alpha', 'beta', 'gamma'];

let seed = Number(seedArg ?? 1);
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
}

const settled = (runId: string) => (s: Awaited<ReturnType<Store['read']>>) =>
  s.runs.filter((r) => r.id === runId).every((r) => !isActiveRun(r) || r.status === 'running');

async function work(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const name = NAMES[Math.floor(random() * NAMES.length)] as string;
    const state = await store.read();
    const active = state.runs.find((r) => r.name === name && isActiveRun(r));
    if (active) {
      await requestStop(store, name, random() < 0.3);
      // Wait for this run only: the other process may apply a new run with the same name meanwhile.
      await driveUntil(leader, store, (s) => !s.runs.some((r) => r.id === active.id && isActiveRun(r)), { pollMs: 10, timeoutMs: 30_000 });
      console.log(`stopped ${name}`);
    } else {
      try {
        const run = await submitRun(store, systemClock, spec(OFFERS), name);
        console.log(`applied ${name}`);
        await driveUntil(leader, store, settled(run.id), { pollMs: 10, timeoutMs: 30_000 });
      } catch (err) {
        if (!(err instanceof RunExistsError)) throw err;
        console.log(`exists ${name}`);
      }
    }
  }
}

async function settle(): Promise<void> {
  await driveUntil(leader, store, () => true, { pollMs: 10 });
  await scheduler.reconcile();
  for (const r of (await store.read()).runs.filter(isActiveRun)) await requestStop(store, r.name, false);
  await driveUntil(leader, store, (s) => !s.runs.some(isActiveRun) && s.instances.every((i) => i.status === 'terminated'), { pollMs: 10, timeoutMs: 60_000 });
}

async function main(): Promise<void> {
  console.log('ready');
  if (mode === 'work') await work(Number(roundsArg ?? 1_000_000));
  else if (mode === 'settle') await settle();
  else throw new Error(`unknown mode ${mode}`);
  await leader.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
