// The local agent's metrics (dstack's `metrics`): CPU of the environment's processes from /proc
// (utime+stime deltas between samples, percent of one core), their resident memory and the machine's
// MemTotal, and the GPUs from `nvidia-smi` when it is installed. Linux only for CPU/memory: elsewhere
// those fields are left out.

import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import type { AgentMetrics } from '../backend';

/** The nvidia-smi query the agent runs (the same one dstack's runner uses for these three figures). */
export const NVIDIA_SMI_ARGS = ['--query-gpu=utilization.gpu,memory.used,memory.total', '--format=csv,noheader,nounits'] as const;

const MIB = 1024 * 1024;

/** Parses the output of NVIDIA_SMI_ARGS (`util, used MiB, total MiB` per line); lines that don't parse are skipped. */
export function parseNvidiaSmi(text: string): NonNullable<AgentMetrics['gpus']> {
  const out: NonNullable<AgentMetrics['gpus']> = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [util, used, total] = line.split(',').map((f) => Number(f.trim()));
    if (util === undefined || used === undefined || total === undefined || ![util, used, total].every(Number.isFinite)) continue;
    out.push({ utilizationPercent: util, memoryUsedBytes: used * MIB, memoryTotalBytes: total * MIB });
  }
  return out;
}

/** Runs nvidia-smi (from PATH); resolves undefined when it is missing or fails. */
export function queryGpus(env: NodeJS.ProcessEnv = process.env): Promise<AgentMetrics['gpus']> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', [...NVIDIA_SMI_ARGS], { env, timeout: 5000 }, (err, stdout) => {
      if (err) { resolve(undefined); return; }
      const gpus = parseNvidiaSmi(stdout);
      resolve(gpus.length > 0 ? gpus : undefined);
    });
  });
}

/** One process as /proc/<pid>/stat says: parent, group, CPU ticks. */
interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  ticks: number;
}

/** Parses /proc/<pid>/stat (the comm field may hold spaces and parentheses). */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const f = text.slice(close + 2).split(' ');
  // After `pid (comm) `: state(0) ppid(1) pgrp(2) ... utime(11) stime(12).
  const ppid = Number(f[1]);
  const pgrp = Number(f[2]);
  const ticks = Number(f[11]) + Number(f[12]);
  if (![pid, ppid, pgrp, ticks].every(Number.isFinite)) return null;
  return { pid, ppid, pgrp, ticks };
}

function readProcs(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = parseProcStat(fs.readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (s) out.push(s);
    } catch {
      // The process ended while we listed.
    }
  }
  return out;
}

/** The environment of `root`: its descendants plus its process group (orphans of init that `&` left behind), not `root` itself. */
export function environmentPids(procs: readonly ProcStat[], root: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out = new Set<number>();
  const stack = [root];
  while (stack.length > 0) {
    for (const c of children.get(stack.pop() as number) ?? []) {
      if (!out.has(c)) { out.add(c); stack.push(c); }
    }
  }
  for (const p of procs) if (p.pgrp === root && p.pid !== root) out.add(p.pid);
  return out;
}

function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function memTotalBytes(): number | undefined {
  try {
    const m = /^MemTotal:\s+(\d+)\s+kB/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** Samples the environment under one root process; the first sample has no CPU figure (it needs a delta). */
export class EnvironmentSampler {
  private last: { at: number; ticks: Map<number, number> } | null = null;
  private readonly hz = process.platform === 'linux' ? clockTicks() : 100;

  constructor(private readonly root: number, private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** One sample now. */
  async sample(): Promise<AgentMetrics> {
    const now = Date.now();
    const metrics: AgentMetrics = { at: Math.floor(now / 1000) };
    if (process.platform === 'linux') {
      const procs = readProcs();
      const pids = environmentPids(procs, this.root);
      const ticks = new Map<number, number>();
      for (const p of procs) if (pids.has(p.pid)) ticks.set(p.pid, p.ticks);
      if (this.last && now > this.last.at) {
        let delta = 0;
        for (const [pid, t] of ticks) delta += Math.max(0, t - (this.last.ticks.get(pid) ?? 0));
        metrics.cpuPercent = Math.round(((delta / this.hz) / ((now - this.last.at) / 1000)) * 1000) / 10;
      }
      this.last = { at: now, ticks };
      let rss = 0;
      for (const pid of pids) rss += rssBytes(pid);
      metrics.memoryUsedBytes = rss;
      const total = memTotalBytes();
      if (total !== undefined) metrics.memoryTotalBytes = total;
    }
    const gpus = await queryGpus(this.env);
    if (gpus) metrics.gpus = gpus;
    return metrics;
  }
}
