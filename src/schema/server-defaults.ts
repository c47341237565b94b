// Server-side helpers the orchestrator needs: GPU vendor inference and resource defaults, retry normalization,
// and the in-place update check (dstack's server/services/resources.py, profiles.py, runs/spec.py).
import { parseDuration } from './grammar/duration';
import { GrammarError } from './grammar/grammar-error';
import type { Configuration, GpuVendor, ResourcesSpec, RetryEvent, RetrySpec } from './model';

const NVIDIA = /^(h100|h200|h20|h800|gh200|b200|b100|gb200|a100|a800|a10g?|a16|a30|a40|a2|l4|l40s?|t4|v100|p100|p40|p4|k80|m60|rtx\w*|a[456]000|rtxa?\d+\w*|gtx\w*|titan\w*|quadro\w*)$/i;
const AMD = /^(mi\d+\w*|radeon\w*|w7900|v620)$/i;
const GOOGLE = /^(tpu-)?v\d+[a-z]*(-\d+)?$/i;
const INTEL = /^gaudi\d*$/i;
const TENSTORRENT = /^(n150|n300|p100a?|p150a?|p300\w*|galaxy\w*)$/i;

/** The vendor of a known accelerator name (gpuhunt's short names), or null when unknown. */
export function inferGpuVendor(name: string): GpuVendor | null {
  if (GOOGLE.test(name)) return 'google';
  if (AMD.test(name)) return 'amd';
  if (INTEL.test(name)) return 'intel';
  if (TENSTORRENT.test(name)) return 'tenstorrent';
  if (NVIDIA.test(name)) return 'nvidia';
  return null;
}

/** What the run brings instead of the default image. */
export interface ImageChoice {
  image?: string | null | undefined;
  docker?: boolean | null | undefined;
}

const DEFAULT_IMAGE_VENDORS: ReadonlySet<GpuVendor> = new Set(['nvidia', 'google']);

/**
 * Applies the server's resource defaults (GPU vendor inference, default-image checks); throws GrammarError with
 * dstack's ServerClientError text when the default image cannot serve the request.
 */
export function applyServerResourceDefaults(resources: ResourcesSpec, choice: ImageChoice): ResourcesSpec {
  const image = choice.image ?? null;
  const docker = choice.docker === true;
  const gpu = resources.gpu ? { ...resources.gpu } : { vendor: null, name: null, count: { min: 0, max: null }, memory: null, total_memory: null, compute_capability: null };
  const nameVendors = (gpu.name ?? []).map(inferGpuVendor);
  if (gpu.vendor === null && gpu.count.max !== 0) {
    if (!gpu.name || gpu.name.length === 0) {
      if (image === null && !docker) gpu.vendor = 'nvidia';
    } else {
      const known = new Set(nameVendors);
      if (!known.has(null) && known.size === 1) gpu.vendor = [...known][0] as GpuVendor;
    }
  }
  if (image === null && !docker) {
    const requested = new Set<GpuVendor>();
    if (gpu.vendor) requested.add(gpu.vendor);
    for (const v of nameVendors) if (v) requested.add(v);
    const unsupported = [...requested].filter((v) => !DEFAULT_IMAGE_VENDORS.has(v)).sort();
    if (unsupported.length > 0 && gpu.count.max !== 0) {
      throw new GrammarError(`\`image\` must be set when the requested accelerator is not supported by the default image: [${unsupported.map((v) => `'${v}'`).join(', ')}]`);
    }
  }
  if (resources.cpu.arch === 'arm') {
    if (docker) throw new GrammarError('`docker: true` is not supported on ARM CPU');
    if (image === null) throw new GrammarError('`image` must be set when ARM CPU requested');
  }
  return { ...resources, gpu };
}

const ALL_RETRY_EVENTS: RetryEvent[] = ['no-capacity', 'interruption', 'error'];
const DEFAULT_RETRY_DURATION = 3600;

/** JobSpec.retry from a configuration's `retry`: null = no retry; `true` = all events for 1h. */
export function normalizeRetry(retry: unknown): RetrySpec | null {
  if (retry === null || retry === undefined || retry === false) return null;
  if (retry === true) return { on_events: [...ALL_RETRY_EVENTS], duration: DEFAULT_RETRY_DURATION };
  if (typeof retry === 'object' && !Array.isArray(retry)) {
    const r = retry as Record<string, unknown>;
    const events = Array.isArray(r['on_events']) ? (r['on_events'] as RetryEvent[]) : [...ALL_RETRY_EVENTS];
    const duration = r['duration'] == null ? DEFAULT_RETRY_DURATION : parseDuration(r['duration']);
    return { on_events: events, duration };
  }
  throw new GrammarError('`retry` must be `true`, `false` or `{on_events, duration}`');
}

/** The verdict of applying a changed configuration to a running dev environment. */
export interface InPlaceUpdateVerdict {
  updatable: boolean;
  changedFields: string[];
  /** dstack's message when not updatable. */
  error?: string;
}

const IN_PLACE_FIELDS = ['priority', 'inactivity_duration', 'files'];

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function onlyArchUnset(a: ResourcesSpec | undefined, b: ResourcesSpec | undefined): boolean {
  if (!a || !b) return false;
  return same({ ...a, cpu: { ...a.cpu, arch: null } }, b) && b.cpu.arch === null;
}

const pyList = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

/** Which fields changed between two normalized dev-environment configurations, and whether dstack updates them in place. */
export function checkInPlaceUpdate(current: Configuration, next: Configuration): InPlaceUpdateVerdict {
  const a = current as unknown as Record<string, unknown>;
  const b = next as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const changedFields = keys.filter((k) => !same(a[k], b[k]));
  const allowed = [...IN_PLACE_FIELDS];
  const resourcesOk = !changedFields.includes('resources') || onlyArchUnset(a['resources'] as ResourcesSpec, b['resources'] as ResourcesSpec);
  if (resourcesOk) allowed.push('resources');
  const rejected = changedFields.filter((k) => !allowed.includes(k));
  if (rejected.length === 0) return { updatable: true, changedFields };
  return { updatable: false, changedFields, error: `Failed to update fields ${pyList(rejected)}. Can only update ${pyList(allowed)}` };
}
