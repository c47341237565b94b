// The idle scheduler's cost: a leader process tracking 50 running dev environments (fake backend) for
// 20 s after a 15 s warm-up, beside an idle node process measured the same way in the same run. Targets: < 0.5 % CPU, < 80 MB RSS.
// Every run has a utilization_policy and GPU_RUNS of them report two GPUs' utilization (busy enough to stay), so the
// figures include judging them; busy GPUs move a minute bound in the state, so it is written at most once a minute.
// BENCH_CPU_PROF=DIR writes V8 CPU profiles of both children there (to see where the idle CPU goes).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import type { Backend } from '../src/backends/backend';
import type { BackendId, Offer } from '../src/backends/offer';
import { FakeBackend } from '../src/backends/fake/fake-backend';
import { systemClock } from '../src/orchestrator/clock';
import { driveUntil } from '../src/orchestrator/drive';
import { submitRun } from '../src/orchestrator/orchestrator';
import { Leader, newOwnerId } from '../src/orchestrator/scheduler/leader';
import { Scheduler } from '../src/orchestrator/scheduler/scheduler';
import { Store } from '../src/orchestrator/store/store';
import type { RunSpec } from '../src/orchestrator/model/run';
import { report } from './report';

const RUNS = 50;
/** Runs whose instances report GPU utilization (the others report none). */
const GPU_RUNS = 20;
const SECONDS = 20;

function offer(i: number): Offer {
  return {
    backend: 'fake', region: 'fake-1', instanceType: `t${i}`, pricePerHour: 1 + i / 100, availability: 'available',
    resources: { cpuArch: 'x86', cpus: 4, memoryGB: 16, diskGB: 100, gpus: [{ name: 'A10G', vendor: 'nvidia', memoryGB: 24 }], spot: false },
  };
}

function spec(offers: Offer[]): RunSpec {
  return {
    configurationPath: 'bench.dstack.yml',
    requirements: { resources: { cpu: { arch: null, count: { min: 2, max: null } }, memory: { min: 8, max: null }, shm_size: null, gpu: null, disk: null }, spot: null, maxPrice: null, regions: null, instanceTypes: null },
    offers, retry: { on_events: ['no-capacity', 'interruption', 'error'], duration: 3600 }, inactivityDuration: 7200, maxDuration: null,
    idleDuration: 300, utilizationPolicy: { min_gpu_utilization: 5, time_window: 1800 }, init: ['echo ready'], env: { A: '1' }, workingDir: null,
    configuration: { type: 'dev-environment', inactivity_duration: 7200 },
  };
}

interface ChildFigures {
  cpuPercent: number;
  rssMB: number;
  passes: number;
  tickCpuMs: number;
  leaseCpuMs: number;
  leader: boolean | null;
  /** State writes (revision increments) during the measured window. */
  stateWrites: number;
}

function runChild(bundle: string, args: string[]): ChildFigures {
  const r = spawnSync(process.execPath, [...(process.env["BENCH_CPU_PROF"] ? ["--cpu-prof", "--cpu-prof-dir=" + process.env["BENCH_CPU_PROF"]] : []), bundle, ...args], { encoding: 'utf8', timeout: (SECONDS + 40) * 1000 });
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as ChildFigures;
}

/** Runs the benchmark. */
export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dstack-vsc-bench-'));
  const stateDir = path.join(dir, 'state');
  const fakeFile = path.join(dir, 'fake.json');
  const fake = new FakeBackend(fakeFile);
  const offers = Array.from({ length: 5 }, (_, i) => offer(i));
  await fake.script({ offers });
  const store = new Store(stateDir);
  const owner = newOwnerId();
  const leader = new Leader(store, new Scheduler({ store, backends: new Map<BackendId, Backend>([['fake', fake]]), clock: systemClock, owner }), owner);
  for (let i = 0; i < RUNS; i++) await submitRun(store, systemClock, spec(offers), `bench-${i}`);
  const running = await driveUntil(leader, store, (s) => s.runs.every((r) => r.status === 'running'), { pollMs: 20 });
  await leader.stop();
  for (const run of running.runs.slice(0, GPU_RUNS)) await fake.setGpuUtilization(run.instanceId as string, [60, 35]);
  const bundle = path.join(dir, 'scheduler-child.cjs');
  buildSync({ entryPoints: [path.join(__dirname, 'scheduler-child.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'error' });
  const baseline = runChild(bundle, ['baseline', String(SECONDS)]);
  const measured = runChild(bundle, ['leader', String(SECONDS), stateDir, fakeFile]);
  const stateKB = fs.statSync(store.stateFile).size / 1024;
  console.log(`${RUNS} running runs tracked (${GPU_RUNS} reporting 2 GPUs), state file ${stateKB.toFixed(0)} KB, ${measured.passes} scheduler passes in ${SECONDS} s (${measured.tickCpuMs.toFixed(1)} ms CPU inside passes, ${measured.leaseCpuMs.toFixed(1)} ms in lease renewals), ${measured.stateWrites} state writes, leader=${String(measured.leader)}`);
  report({ name: `idle scheduler CPU (${RUNS} runs, ${SECONDS} s)`, value: measured.cpuPercent, unit: '%', baseline: { name: 'idle node', value: baseline.cpuPercent }, target: '< 0.5 %', met: measured.cpuPercent < 0.5 });
  report({ name: `idle scheduler max RSS (${RUNS} runs)`, value: measured.rssMB, unit: 'MB', baseline: { name: 'idle node', value: baseline.rssMB }, target: '< 80 MB', met: measured.rssMB < 80 });
  fs.rmSync(dir, { recursive: true, force: true });
}
