// Probes an SSH host for what an offer needs: CPU arch and count, memory, disk, GPUs (nvidia-smi,
// amd-smi / rocm-smi) and a container runtime that actually works (`docker info` / `podman info`:
// a client binary on PATH is not enough). One round trip; every tool is optional.

import type { CpuArch, GpuVendor } from '../../schema/model';
import { KNOWN_GPUS } from '../catalog/gpus';
import type { Offer, OfferGpu } from '../offer';
import type { SshConnection } from './connect';
import { shellQuote } from './shell-quote';

/** A working container runtime on the host (closed), or null for bare mode. */
export type ContainerRuntime = 'docker' | 'podman';

/** What a probe found. */
export interface HostFacts {
  /** `uname -m` as printed, and as dstack's arch. */
  machine: string;
  arch: CpuArch | null;
  cpus: number;
  memoryGB: number;
  /** Free disk under the login user's home, GB. */
  diskGB: number;
  gpus: Array<OfferGpu & { rawName: string; memoryMiB: number; uuid?: string }>;
  runtime: ContainerRuntime | null;
  /** Why each runtime is unusable (`docker info failed: ...`), for the UI. */
  runtimeNotes: string[];
  /** Whether the user can use sudo without a password (container runtimes and host setup need it). */
  sudo: boolean | null;
}

/** The probe script (POSIX sh). Each section starts with a `==name` line. */
export const PROBE_SCRIPT = [
  't() { if command -v timeout >/dev/null 2>&1; then timeout 20 "$@"; else "$@"; fi; }',
  'echo ==arch; uname -m',
  'echo ==cpus; nproc 2>/dev/null || getconf _NPROCESSORS_ONLN',
  "echo ==mem_kb; awk '/^MemTotal:/{print $2}' /proc/meminfo",
  "echo ==disk_kb; df -Pk \"${HOME:-/}\" 2>/dev/null | awk 'NR==2{print $4}'",
  'echo ==uid; id -u',
  'echo ==sudo; if [ "$(id -u)" = 0 ]; then echo yes; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then echo yes; else echo no; fi',
  'echo ==nvidia; if command -v nvidia-smi >/dev/null 2>&1; then t nvidia-smi --query-gpu=name,memory.total,uuid,driver_version --format=csv,noheader,nounits 2>&1; echo "rc=$?"; fi',
  'echo ==amd; if command -v amd-smi >/dev/null 2>&1; then t amd-smi static --json --asic --vram 2>/dev/null; elif command -v rocm-smi >/dev/null 2>&1; then t rocm-smi --showproductname --showmeminfo vram --json 2>/dev/null; fi',
  'S=""; [ "$(id -u)" = 0 ] || S="sudo -n"',
  "echo ==docker; if command -v docker >/dev/null 2>&1; then v=$(t $S docker info --format '{{.ServerVersion}}' 2>&1) && echo \"ok $v\" || echo \"fail $v\" | head -c 300; fi",
  "echo ==podman; if command -v podman >/dev/null 2>&1; then v=$(t $S podman info --format '{{.Version.Version}}' 2>&1) && echo \"ok $v\" || echo \"fail $v\" | head -c 300; fi",
  'echo ==end',
].join('\n');

function sections(out: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  let current = '';
  for (const line of out.split('\n')) {
    if (line.startsWith('==')) { current = line.slice(2).trim(); map.set(current, []); continue; }
    if (current !== '') map.get(current)?.push(line);
  }
  return map;
}

/** dstack's arch for `uname -m`. */
export function archOf(machine: string): CpuArch | null {
  if (/^(x86_64|amd64|i[3-6]86)$/.test(machine)) return 'x86';
  if (/^(aarch64|arm64|armv8.*)$/.test(machine)) return 'arm';
  return null;
}

const BY_LENGTH = [...KNOWN_GPUS].sort((a, b) => b.name.length - a.name.length);

/** gpuhunt's short name and memory for a name as nvidia-smi / amd-smi prints it ("NVIDIA H100 80GB HBM3" -> H100, 80). */
export function normalizeGpu(rawName: string, memoryMiB: number, vendor: GpuVendor): { name: string; memoryGB: number } {
  let compact = rawName.toUpperCase().replace(/\b(NVIDIA|TESLA|GEFORCE|AMD|INSTINCT|RADEON)\b/g, '').replace(/[\s_-]+/g, '');
  if (/^RTXA\d/.test(compact)) compact = compact.slice(3); // "RTX A6000" -> A6000
  const measuredGB = memoryMiB / 1024;
  const candidates = BY_LENGTH.filter((g) => g.vendor === vendor && compact.startsWith(g.name.toUpperCase()));
  const best = candidates[0];
  if (best === undefined) return { name: rawName.replace(/^(NVIDIA|AMD)\s+/i, '').replace(/\s+/g, ''), memoryGB: Math.round(measuredGB) };
  const same = candidates.filter((g) => g.name === best.name);
  const closest = same.reduce((a, b) => (Math.abs(b.memoryGB - measuredGB) < Math.abs(a.memoryGB - measuredGB) ? b : a));
  return { name: closest.name, memoryGB: closest.memoryGB };
}

function parseNvidia(lines: string[]): HostFacts['gpus'] {
  const rc = lines.find((l) => l.startsWith('rc='));
  if (rc !== 'rc=0') return [];
  const gpus: HostFacts['gpus'] = [];
  for (const line of lines) {
    if (line.trim() === '' || line.startsWith('rc=')) continue;
    const parts = line.split(',').map((s) => s.trim());
    if (parts.length < 4) continue;
    const uuid = parts[parts.length - 2];
    const memoryMiB = Number(parts[parts.length - 3]);
    const rawName = parts.slice(0, parts.length - 3).join(', ');
    const n = normalizeGpu(rawName, Number.isFinite(memoryMiB) ? memoryMiB : 0, 'nvidia');
    gpus.push({ name: n.name, vendor: 'nvidia', memoryGB: n.memoryGB, rawName, memoryMiB: Number.isFinite(memoryMiB) ? memoryMiB : 0, ...(uuid !== undefined ? { uuid } : {}) });
  }
  return gpus;
}

function parseAmd(lines: string[]): HostFacts['gpus'] {
  const text = lines.join('\n').trim();
  if (text === '') return [];
  let data: unknown;
  try { data = JSON.parse(text); } catch { return []; }
  const gpus: HostFacts['gpus'] = [];
  const push = (rawName: string, memoryMiB: number) => {
    const n = normalizeGpu(rawName, memoryMiB, 'amd');
    gpus.push({ name: n.name, vendor: 'amd', memoryGB: n.memoryGB, rawName, memoryMiB });
  };
  // amd-smi: [{asic:{market_name}, vram:{size:{value,unit}}}] (ROCm 6) or {gpu_data:[...]} (ROCm 7).
  const list = Array.isArray(data) ? data : (data as { gpu_data?: unknown }).gpu_data;
  if (Array.isArray(list)) {
    for (const g of list as Array<{ asic?: { market_name?: string }; vram?: { size?: { value?: number; unit?: string } } }>) {
      const size = g.vram?.size;
      const mib = size?.value === undefined ? 0 : size.unit === 'GB' ? size.value * 1024 : size.value;
      push(g.asic?.market_name ?? 'AMD GPU', mib);
    }
    return gpus;
  }
  // rocm-smi: {"card0": {"Card series": "...", "VRAM Total Memory (B)": "..."}}
  for (const [key, card] of Object.entries(data as Record<string, Record<string, string>>)) {
    if (!/^card\d+$/.test(key)) continue;
    const series = card['Card series'] ?? card['Card Series'] ?? 'AMD GPU';
    push(series, Number(card['VRAM Total Memory (B)'] ?? 0) / (1024 * 1024));
  }
  return gpus;
}

/** Parses the probe script's output. */
export function parseProbe(out: string): HostFacts {
  const s = sections(out);
  const first = (k: string) => (s.get(k)?.[0] ?? '').trim();
  const machine = first('arch');
  const runtimeNotes: string[] = [];
  let runtime: ContainerRuntime | null = null;
  for (const rt of ['docker', 'podman'] as const) {
    const line = first(rt);
    if (line === '') continue;
    if (line.startsWith('ok ') && runtime === null) runtime = rt;
    else if (!line.startsWith('ok ')) runtimeNotes.push(`${rt} info failed: ${line.replace(/^fail\s*/, '').slice(0, 200)}`);
  }
  const sudo = first('sudo');
  return {
    machine,
    arch: archOf(machine),
    cpus: Number(first('cpus')) || 0,
    memoryGB: Math.round((Number(first('mem_kb')) || 0) / (1024 * 1024)),
    diskGB: Math.floor((Number(first('disk_kb')) || 0) / (1024 * 1024)),
    gpus: [...parseNvidia(s.get('nvidia') ?? []), ...parseAmd(s.get('amd') ?? [])],
    runtime,
    runtimeNotes,
    sudo: sudo === '' ? null : sudo === 'yes',
  };
}

/** Probes the host behind `conn`. */
export async function probeHost(conn: SshConnection): Promise<HostFacts> {
  const r = await conn.exec(`sh -c ${shellQuote(PROBE_SCRIPT)}`);
  if (!r.stdout.includes('==end')) throw new Error(`Probing ${conn.target.host} failed (exit ${r.code ?? 'none'}): ${r.stderr.trim().slice(0, 500) || 'no output'}`);
  return parseProbe(r.stdout);
}

/** The offer of one SSH host (dstack: backend `remote`, region = host, price 0 unless configured). */
export function hostOffer(host: string, facts: HostFacts, options: { pricePerHour?: number; busy?: boolean } = {}): Offer {
  return {
    backend: 'remote',
    region: host,
    instanceType: 'ssh',
    resources: { cpuArch: facts.arch ?? 'x86', cpus: facts.cpus, memoryGB: facts.memoryGB, diskGB: facts.diskGB, gpus: facts.gpus.map((g) => ({ name: g.name, vendor: g.vendor, memoryGB: g.memoryGB })), spot: false },
    pricePerHour: options.pricePerHour ?? 0,
    availability: options.busy ? 'busy' : 'available',
    backendData: { host, runtime: facts.runtime, machine: facts.machine },
  };
}
