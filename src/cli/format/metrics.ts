// dstack's `metrics` table (cli/utils/metrics.py, spec 5.7): a label column (`job=0`), `cpu` / `gpu=<i>`,
// then UTILIZATION and MEMORY as sparklines (`▁▂▃▄▅▆▇`) followed by the latest value (`33%`,
// `1.2GB/31.4GB`), and a time axis row (`6 Aug 13:14 ┄┄┄ now`). CPU % is divided by the instance's CPUs.

import type { AgentMetrics } from '../../backends/backend';
import { renderTable } from './table';

const BARS = '▁▂▃▄▅▆▇';
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A sparkline of fractions 0..1 (clamped), one bar per value. */
export function sparkline(values: readonly number[]): string {
  return values.map((v) => BARS[Math.max(0, Math.min(BARS.length - 1, Math.floor(Math.max(0, v) * BARS.length)))]).join('');
}

/** `0.3GB`, `31.4GB`, `579GB`; under 0.1GB `51MB` (binary units, as dstack's memory figures). */
export function formatBytes(bytes: number): string {
  if (bytes < 0.1 * GIB) return `${Math.round(bytes / MIB)}MB`;
  const gb = bytes / GIB;
  return gb >= 100 ? `${Math.round(gb)}GB` : `${Number(gb.toFixed(1))}GB`;
}

/** `6 Aug 13:14` in local time. */
export function axisTime(epochSecs: number): string {
  const d = new Date(epochSecs * 1000);
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** The table for one run's samples (oldest first, at most 80 used); `cpus` divides the CPU percent. */
export function renderMetricsTable(samples: readonly AgentMetrics[], cpus: number): string {
  const used = samples.slice(-80);
  const last = used.at(-1);
  const rows: string[][] = [];
  const pct = (v: number | undefined): string => (v === undefined ? '-' : `${Math.round(v)}%`);
  const cpuOf = (s: AgentMetrics): number | undefined => (s.cpuPercent === undefined ? undefined : s.cpuPercent / Math.max(1, cpus));
  const withCpu = used.filter((s) => s.cpuPercent !== undefined);
  const withMem = used.filter((s) => s.memoryUsedBytes !== undefined && s.memoryTotalBytes !== undefined);
  const lastMem = withMem.at(-1);
  rows.push([
    'job=0', 'cpu',
    withCpu.length > 0 ? `${sparkline(withCpu.map((s) => (cpuOf(s) ?? 0) / 100))} ${pct(cpuOf(withCpu.at(-1) as AgentMetrics))}` : '-',
    lastMem ? `${sparkline(withMem.map((s) => (s.memoryUsedBytes ?? 0) / Math.max(1, s.memoryTotalBytes ?? 1)))} ${formatBytes(lastMem.memoryUsedBytes ?? 0)}/${formatBytes(lastMem.memoryTotalBytes ?? 0)}` : '-',
  ]);
  const gpuCount = last?.gpus?.length ?? 0;
  for (let i = 0; i < gpuCount; i++) {
    const series = used.map((s) => s.gpus?.[i]).filter((g): g is NonNullable<typeof g> => g !== undefined);
    const g = series.at(-1);
    if (!g) continue;
    rows.push([
      'job=0', `gpu=${i}`,
      `${sparkline(series.map((x) => x.utilizationPercent / 100))} ${pct(g.utilizationPercent)}`,
      `${sparkline(series.map((x) => x.memoryUsedBytes / Math.max(1, x.memoryTotalBytes)))} ${formatBytes(g.memoryUsedBytes)}/${formatBytes(g.memoryTotalBytes)}`,
    ]);
  }
  const first = used[0];
  if (first) {
    const axis = `${axisTime(first.at)} ${'┄'.repeat(Math.max(3, used.length - axisTime(first.at).length - 4))} now`;
    rows.push(['', '', axis, axis]);
  }
  return renderTable([{}, {}, { header: 'UTILIZATION' }, { header: 'MEMORY' }], rows);
}

/** The samples as JSON with dstack's metric names, oldest first. */
export function metricsJson(samples: readonly AgentMetrics[], cpus: number): Record<string, unknown>[] {
  return samples.map((s) => {
    const o: Record<string, unknown> = { timestamp: new Date(s.at * 1000).toISOString(), cpus_detected_num: cpus };
    if (s.cpuPercent !== undefined) o['cpu_usage_percent'] = s.cpuPercent;
    if (s.memoryUsedBytes !== undefined) o['memory_usage_bytes'] = s.memoryUsedBytes;
    if (s.memoryTotalBytes !== undefined) o['memory_total_bytes'] = s.memoryTotalBytes;
    const gpus = s.gpus ?? [];
    o['gpus_detected_num'] = gpus.length;
    gpus.forEach((g, i) => {
      o[`gpu_util_percent_gpu${i}`] = g.utilizationPercent;
      o[`gpu_memory_usage_bytes_gpu${i}`] = g.memoryUsedBytes;
      o[`gpu_memory_total_bytes_gpu${i}`] = g.memoryTotalBytes;
    });
    return o;
  });
}
