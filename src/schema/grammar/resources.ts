// The `resources` grammar (dstack's core/models/resources.py): cpu, gpu, memory, shm_size, disk, and their rendering.
import type { CpuArch, CpuSpec, DiskSpec, GpuSpec, GpuVendor, Range, ResourcesSpec } from '../model';
import { GrammarError } from './grammar-error';
import { formatMemory, formatRange, parseIntRange, parseMemory, parseMemoryRange } from './memory';

/** Every word accepted as a GPU vendor (case-insensitive), mapped to the canonical vendor. */
export const GPU_VENDOR_ALIASES: Readonly<Record<string, GpuVendor>> = Object.freeze({
  nvidia: 'nvidia',
  amd: 'amd',
  google: 'google',
  tpu: 'google',
  intel: 'intel',
  tenstorrent: 'tenstorrent',
  tt: 'tenstorrent',
});

const CPU_ARCHES: Readonly<Record<string, CpuArch>> = { x86: 'x86', arm: 'arm' };

/** The CPU default when `cpu` is omitted or gives only an arch: `2..`. */
export const DEFAULT_CPU_COUNT: Range = { min: 2, max: null };
/** The memory default: `8GB..`. */
export const DEFAULT_MEMORY: Range = { min: 8, max: null };
/** The disk default: `100GB..`. */
export const DEFAULT_DISK: DiskSpec = { size: { min: 100, max: null } };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkKeys(o: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      throw new GrammarError(`Unknown ${what} field \`${key}\`; allowed: ${allowed.map((k) => `\`${k}\``).join(', ')}`);
    }
  }
}

/** `cpu`: `4`, `"2.."`, `"x86:16"`, `"arm:8.."`, `"16:x86"`, `{arch, count}` or legacy `{min, max}`. */
export function parseCpuSpec(v: unknown): CpuSpec {
  if (typeof v === 'number') return { arch: null, count: parseIntRange(v) };
  if (typeof v === 'string') {
    const spec = v.replace(/\s+/g, '');
    let arch: CpuArch | null = null;
    let count: Range | null = null;
    for (const token of spec.split(':')) {
      if (token === '') throw new GrammarError(`CPU spec contains empty token: ${spec}`);
      if (/^\d+$/.test(token) || token.includes('..')) {
        if (count) throw new GrammarError(`CPU spec count conflict: ${spec}`);
        count = parseIntRange(token);
      } else {
        const a = CPU_ARCHES[token.toLowerCase()];
        if (!a) throw new GrammarError(`Invalid CPU architecture: \`${token}\`; allowed: \`x86\`, \`arm\``);
        if (arch) throw new GrammarError(`CPU spec arch conflict: ${spec}`);
        arch = a;
      }
    }
    return { arch, count: count ?? { ...DEFAULT_CPU_COUNT } };
  }
  if (isPlainObject(v)) {
    if ('min' in v || 'max' in v) {
      checkKeys(v, ['min', 'max'], 'cpu');
      return { arch: null, count: parseIntRange(v) };
    }
    checkKeys(v, ['arch', 'count'], 'cpu');
    let arch: CpuArch | null = null;
    if (v['arch'] != null) {
      const a = typeof v['arch'] === 'string' ? CPU_ARCHES[v['arch'].toLowerCase()] : undefined;
      if (!a) throw new GrammarError(`Invalid CPU architecture: \`${String(v['arch'])}\`; allowed: \`x86\`, \`arm\``);
      arch = a;
    }
    return { arch, count: v['count'] == null ? { ...DEFAULT_CPU_COUNT } : parseIntRange(v['count']) };
  }
  throw new GrammarError('Invalid CPU spec: expected a count (`4`, `2..`), an arch (`x86`, `arm`) or both (`arm:8..`)');
}

function parseComputeCapability(v: unknown): [number, number] {
  let text: string;
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isInteger(x))) {
    return [v[0] as number, v[1] as number];
  }
  if (typeof v === 'number') text = Number.isInteger(v) ? `${v}.0` : String(v);
  else if (typeof v === 'string') text = v.trim();
  else throw new GrammarError('Invalid compute capability: expected `major.minor`, e.g. `7.5`');
  const m = /^(\d+)\.(\d+)$/.exec(text);
  if (!m) throw new GrammarError(`Invalid compute capability \`${text}\`: expected \`major.minor\`, e.g. \`7.5\``);
  return [Number(m[1]), Number(m[2])];
}

function parseGpuNames(raw: string, whole: string): string[] {
  const names = raw.split(',');
  if (names.some((n) => n.trim() === '')) throw new GrammarError(`GPU name can not be empty: ${whole}`);
  return names.map((n) => n.trim().replace(/^tpu-/i, ''));
}

function emptyGpu(): GpuSpec {
  return { vendor: null, name: null, count: { min: 1, max: null }, memory: null, total_memory: null, compute_capability: null };
}

/** `gpu`: shorthand tokens in any order (`A100:80GB:2`, `nvidia:1..8`, `24GB..`, `v2-8`), an int count, or an object. */
export function parseGpuSpec(v: unknown): GpuSpec {
  if (typeof v === 'number') return { ...emptyGpu(), count: parseIntRange(v) };
  if (typeof v === 'string') {
    const spec = v.replace(/\s+/g, '');
    const gpu = emptyGpu();
    const seen = new Set<string>();
    const claim = (kind: string) => {
      if (seen.has(kind)) throw new GrammarError(`GPU spec ${kind} conflict: ${spec}`);
      seen.add(kind);
    };
    for (const token of spec.split(':')) {
      if (token === '') throw new GrammarError(`GPU spec contains empty token: ${spec}`);
      const vendor = GPU_VENDOR_ALIASES[token.toLowerCase()];
      if (vendor) {
        claim('vendor');
        gpu.vendor = vendor;
      } else if (/^[A-Za-z]/.test(token)) {
        claim('name');
        gpu.name = parseGpuNames(token, spec);
      } else if (/[A-Za-z]/.test(token)) {
        claim('memory');
        gpu.memory = parseMemoryRange(token);
      } else {
        claim('count');
        gpu.count = parseIntRange(token);
      }
    }
    return gpu;
  }
  if (isPlainObject(v)) {
    checkKeys(v, ['vendor', 'name', 'count', 'memory', 'total_memory', 'compute_capability'], 'gpu');
    const gpu = emptyGpu();
    if (v['vendor'] != null) {
      const vendor = typeof v['vendor'] === 'string' ? GPU_VENDOR_ALIASES[v['vendor'].toLowerCase()] : undefined;
      if (!vendor) throw new GrammarError(`Invalid GPU vendor \`${String(v['vendor'])}\`; allowed: ${Object.keys(GPU_VENDOR_ALIASES).map((k) => `\`${k}\``).join(', ')}`);
      gpu.vendor = vendor;
    }
    const name = v['name'];
    if (typeof name === 'string') gpu.name = parseGpuNames(name, name);
    else if (Array.isArray(name) && name.every((n) => typeof n === 'string' && n !== '')) gpu.name = name.map((n) => String(n).replace(/^tpu-/i, ''));
    else if (name != null) throw new GrammarError('Invalid GPU name: expected a name (`A100`) or a list of names (`[H100, A100]`)');
    if (v['count'] != null) gpu.count = parseIntRange(v['count']);
    if (v['memory'] != null) gpu.memory = parseMemoryRange(v['memory']);
    if (v['total_memory'] != null) gpu.total_memory = parseMemoryRange(v['total_memory']);
    if (v['compute_capability'] != null) gpu.compute_capability = parseComputeCapability(v['compute_capability']);
    return gpu;
  }
  throw new GrammarError('Invalid GPU spec: expected e.g. `A100`, `24GB..`, `A100:80GB:2`, `nvidia:1..8` or a mapping');
}

/** `disk`: `"100GB"`, `"100GB.."`, `"..1TB"`, `200`, `{size: ...}`; null removes the constraint. */
export function parseDiskSpec(v: unknown): DiskSpec | null {
  if (v === null || v === undefined) return null;
  if (isPlainObject(v)) {
    checkKeys(v, ['size'], 'disk');
    if (v['size'] == null) throw new GrammarError('Invalid disk spec: `size` is required');
    return { size: parseMemoryRange(v['size']) };
  }
  if (typeof v === 'number' || typeof v === 'string') return { size: parseMemoryRange(v) };
  throw new GrammarError('Invalid disk spec: expected a size like `100GB`, `100GB..` or `{size: ...}`');
}

/** The GPU default when `resources.gpu` is omitted: any count, GPU optional. */
export function defaultGpu(): GpuSpec {
  return { vendor: null, name: null, count: { min: 0, max: null }, memory: null, total_memory: null, compute_capability: null };
}

/** dstack's resource defaults: `cpu=2.. mem=8GB.. disk=100GB.. gpu=0..`. */
export function defaultResources(): ResourcesSpec {
  return { cpu: { arch: null, count: { ...DEFAULT_CPU_COUNT } }, memory: { ...DEFAULT_MEMORY }, shm_size: null, gpu: defaultGpu(), disk: { size: { ...DEFAULT_DISK.size } } };
}

/** The whole `resources` mapping with dstack's defaults for omitted fields. */
export function parseResources(v: unknown): ResourcesSpec {
  const r = defaultResources();
  if (v === null || v === undefined) return r;
  if (!isPlainObject(v)) throw new GrammarError('Input should be a valid dictionary or instance of ResourcesSpec');
  checkKeys(v, ['cpu', 'memory', 'shm_size', 'gpu', 'disk'], 'resources');
  if (v['cpu'] != null) r.cpu = parseCpuSpec(v['cpu']);
  if (v['memory'] != null) r.memory = parseMemoryRange(v['memory']);
  if (v['shm_size'] != null) r.shm_size = parseMemory(v['shm_size']);
  if (v['gpu'] != null) r.gpu = parseGpuSpec(v['gpu']);
  if ('disk' in v) r.disk = parseDiskSpec(v['disk']);
  return r;
}

function formatCpu(cpu: CpuSpec): string {
  const count = formatRange(cpu.count);
  return cpu.arch ? `${cpu.arch}:${count}` : count;
}

function formatGpu(gpu: GpuSpec): string {
  const parts: string[] = [];
  if (gpu.name && gpu.name.length > 0) parts.push(gpu.name.join(','));
  else if (gpu.vendor) parts.push(gpu.vendor);
  if (gpu.memory) parts.push(formatRange(gpu.memory, formatMemory));
  if (gpu.total_memory) parts.push(`total=${formatRange(gpu.total_memory, formatMemory)}`);
  if (gpu.compute_capability) parts.push(`${gpu.compute_capability[0]}.${gpu.compute_capability[1]}`);
  parts.push(formatRange(gpu.count));
  return parts.join(':');
}

/** The plan's "Resources" row (`ResourcesSpec.pretty_format`): `cpu=2.. mem=8GB.. disk=100GB.. gpu=0..`. */
export function prettyResources(r: ResourcesSpec): string {
  const parts = [`cpu=${formatCpu(r.cpu)}`, `mem=${formatRange(r.memory, formatMemory)}`];
  if (r.disk) parts.push(`disk=${formatRange(r.disk.size, formatMemory)}`);
  if (r.gpu) parts.push(`gpu=${formatGpu(r.gpu)}`);
  return parts.join(' ');
}
