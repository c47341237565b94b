// Offer matching with gpuhunt's semantics (`constraints.py::matches`) plus dstack's profile filters
// (backends, regions, instance_types). Requirements are compiled once, then checked per offer.
import type { Requirements } from '../../backends/backend';
import type { Offer } from '../../backends/offer';
import { computeCapabilityOf } from '../../backends/catalog/gpus';
import type { Range } from '../../schema/model';
import { chooseDiskGB } from './disk';
import type { OfferConstraint } from './constraints';

/** Requirements compiled for fast, repeated checks. */
export interface OfferMatcher {
  readonly requirements: Requirements;
  /** True when the offer satisfies every constraint (stops at the first failure). */
  matches(offer: Offer): boolean;
  /** Every constraint the offer fails, in OFFER_CONSTRAINTS order (empty = it matches). */
  failures(offer: Offer): OfferConstraint[];
}

type Check = [OfferConstraint, (offer: Offer) => boolean];

/** True when every non-negative quantity is in the range (open above, at most 0 below): its check can be skipped. */
function admitsAll(range: Range | null): boolean {
  return range === null || ((range.min === null || range.min <= 0) && range.max === null);
}

/** `value` within `range` (null bounds are open), as gpuhunt's `is_between`. */
export function inRange(value: number, range: Range | null): boolean {
  if (range === null) return true;
  return !((range.min !== null && value < range.min) || (range.max !== null && value > range.max));
}

/** A case-insensitive set; null (no filter) only when the list itself is absent — an empty list matches nothing. */
function lowerSet(values: readonly string[] | null | undefined): Set<string> | null {
  return values ? new Set(values.map((v) => v.toLowerCase())) : null;
}

/**
 * Case-insensitive membership in `set` (lower-case values), memoized per distinct string: offers repeat a few GPU
 * names, regions and types thousands of times, and lower-casing each one allocated on the hot path.
 */
function memoHas(set: Set<string>): (value: string) => boolean {
  const memo = new Map<string, boolean>();
  return (value) => {
    let hit = memo.get(value);
    if (hit === undefined) {
      hit = set.has(value.toLowerCase());
      memo.set(value, hit);
    }
    return hit;
  };
}

function atLeast(cc: [number, number], min: [number, number]): boolean {
  return cc[0] > min[0] || (cc[0] === min[0] && cc[1] >= min[1]);
}

/** The `--backend` names an offer answers to: its id, and `ssh` for SSH fleets (dstack prints `remote` as `ssh`). */
function backendNames(offer: Offer): string[] {
  return offer.backend === 'remote' ? ['remote', 'ssh'] : [offer.backend];
}

function compileChecks(req: Requirements): Check[] {
  const checks: Check[] = [];
  const res = req.resources;
  const { maxPrice, spot } = req;
  if (maxPrice !== null) checks.push(['max_price', (o) => o.pricePerHour <= maxPrice]);
  if (spot !== null) checks.push(['spot', (o) => o.resources.spot === spot]);
  const arch = res.cpu.arch;
  if (arch !== null) checks.push(['cpu_arch', (o) => o.resources.cpuArch === arch]);
  if (!admitsAll(res.cpu.count)) checks.push(['cpu_count', (o) => inRange(o.resources.cpus, res.cpu.count)]);
  if (!admitsAll(res.memory)) checks.push(['memory', (o) => inRange(o.resources.memoryGB, res.memory)]);

  const gpu = res.gpu;
  if (gpu !== null) {
    // gpuhunt: GPU filters are not applied to GPU-less offers when the request allows zero GPUs.
    const gpuOptional = gpu.count.min === 0;
    const applies = (o: Offer) => !(gpuOptional && o.resources.gpus.length === 0);
    const gpuCheck = (name: OfferConstraint, test: (o: Offer) => boolean): Check => [name, (o) => !applies(o) || test(o)];
    const vendor = gpu.vendor;
    if (vendor !== null) checks.push(gpuCheck('gpu_vendor', (o) => o.resources.gpus[0]?.vendor === vendor));
    if (!admitsAll(gpu.count)) checks.push(gpuCheck('gpu_count', (o) => inRange(o.resources.gpus.length, gpu.count)));
    const names = lowerSet(gpu.name);
    if (names !== null) {
      const named = memoHas(names);
      checks.push(gpuCheck('gpu_name', (o) => {
        const name = o.resources.gpus[0]?.name;
        return name !== undefined && named(name);
      }));
    }
    const minCc = gpu.compute_capability;
    if (minCc !== null) {
      checks.push(gpuCheck('compute_capability', (o) => {
        const first = o.resources.gpus[0];
        if (first === undefined || first.vendor !== 'nvidia' || !first.name) return false;
        const cc = computeCapabilityOf(first.name);
        return cc !== null && atLeast(cc, minCc);
      }));
    }
    const perGpu = (o: Offer) => (o.resources.gpus.length > 0 ? (o.resources.gpus[0]?.memoryGB ?? 0) : 0);
    if (gpu.memory !== null) checks.push(gpuCheck('gpu_memory', (o) => inRange(perGpu(o), gpu.memory)));
    if (gpu.total_memory !== null) {
      checks.push(gpuCheck('gpu_total_memory', (o) => inRange(o.resources.gpus.length * perGpu(o), gpu.total_memory)));
    }
  }

  const disk = res.disk;
  checks.push(['disk', (o) => {
    if (o.configurableDiskGB) return chooseDiskGB(disk?.size ?? null, o.configurableDiskGB) !== null;
    return disk === null || inRange(o.resources.diskGB, disk.size);
  }]);

  const backends = lowerSet(req.backends);
  if (backends) checks.push(['backend', (o) => backendNames(o).some((b) => backends.has(b))]);
  const regions = lowerSet(req.regions);
  if (regions) {
    const inRegions = memoHas(regions);
    checks.push(['region', (o) => inRegions(o.region)]);
  }
  const types = lowerSet(req.instanceTypes);
  if (types) {
    const ofTypes = memoHas(types);
    checks.push(['instance_type', (o) => ofTypes(o.instanceType)]);
  }
  return checks;
}

/** Compiles requirements into a matcher: call once per request, then test every offer. */
export function compileRequirements(req: Requirements): OfferMatcher {
  const checks = compileChecks(req);
  const n = checks.length;
  return {
    requirements: req,
    matches(offer) {
      for (let i = 0; i < n; i++) if (!(checks[i] as Check)[1](offer)) return false;
      return true;
    },
    failures(offer) {
      const failed: OfferConstraint[] = [];
      for (const [name, test] of checks) if (!test(offer)) failed.push(name);
      return failed;
    },
  };
}

/** Whether one offer satisfies the requirements (compile once with `compileRequirements` for many offers). */
export function matchesRequirements(offer: Offer, req: Requirements): boolean {
  return compileRequirements(req).matches(offer);
}
