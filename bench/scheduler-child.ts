// Child of bench/scheduler.bench.ts: either an idle node process (the baseline) or the orchestrator's
// leader loop over a prepared state dir with 50 tracked runs. Measures its own CPU and RSS over a
// window after warm-up and prints them as JSON.
//   scheduler-child baseline <seconds>
//   scheduler-child leader <seconds> <stateDir> <fakeFile>

import type { Backend } from '../src/backends/backend';
import type { BackendId } from '../src/backends/offer';
import { FakeBackend } from '../src/backends/fake/fake-backend';
import { systemClock } from '../src/orchestrator/clock';
import { Leader, newOwnerId } from '../src/orchestrator/scheduler/leader';
import { Scheduler } from '../src/orchestrator/scheduler/scheduler';
import { Store } from '../src/orchestrator/store/store';

const [mode, secondsArg, stateDir, fakeFile] = process.argv.slice(2) as [string, string, string?, string?];
const seconds = Number(secondsArg);

async function main(): Promise<void> {
  let leader: Leader | null = null;
  let store: Store | null = null;
  let passes = 0;
  let tickCpuUs = 0;
  let leaseCpuUs = 0;
  if (mode === 'leader') {
    store = new Store(stateDir as string);
    const owner = newOwnerId();
    const scheduler = new Scheduler({ store, backends: new Map<BackendId, Backend>([['fake', new FakeBackend(fakeFile as string)]]), clock: systemClock, owner });
    scheduler.events.on(() => undefined);
    const tick = scheduler.tick.bind(scheduler);
    scheduler.tick = async () => {
      passes++;
      const c0 = process.cpuUsage();
      try {
        return await tick();
      } finally {
        const c = process.cpuUsage(c0);
        tickCpuUs += c.user + c.system;
      }
    };
    const acquire = store.acquireLease.bind(store);
    store.acquireLease = async (...a) => {
      const c0 = process.cpuUsage();
      try {
        return await acquire(...a);
      } finally {
        const c = process.cpuUsage(c0);
        leaseCpuUs += c.user + c.system;
      }
    };
    leader = new Leader(store, scheduler, owner);
    leader.start((err) => console.error(err));
  } else {
    setInterval(() => undefined, 2000);
  }
  // Warm-up: the orphan sweep, the first passes, JIT and the garbage collection of what start-up allocated (a 6 s
  // warm-up still measured that collection: 0.5-0.6 % against 0.18 % after 15 s), so the window is steady state.
  await new Promise((r) => setTimeout(r, 15_000));
  const revision0 = store ? (await store.read()).revision : 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let maxRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, process.memoryUsage.rss());
  }, 1000);
  const passes0 = passes;
  const tick0 = tickCpuUs;
  const lease0 = leaseCpuUs;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  clearInterval(sampler);
  maxRss = Math.max(maxRss, process.memoryUsage.rss());
  const stateWrites = store ? (await store.read()).revision - revision0 : 0;
  console.log(JSON.stringify({ stateWrites, cpuPercent: ((cpu.user + cpu.system) / wallUs) * 100, rssMB: maxRss / 2 ** 20, passes: passes - passes0, tickCpuMs: (tickCpuUs - tick0) / 1000, leaseCpuMs: (leaseCpuUs - lease0) / 1000, leader: leader?.isLeader ?? null }));
  if (leader) await leader.stop();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
