// Offers: match + order over a synthetic 100,000-offer catalog (target <= 25 ms), and the `offer` command's cold
// start from the bundle. Each figure is printed beside a baseline measured in the same run.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { Requirements } from '../src/backends/backend';
import type { Availability, BackendId, Offer } from '../src/backends/offer';
import { compileRequirements, filterOffers, orderOffers } from '../src/orchestrator/offers';
import { coldStartsMs, percentile, report, timeMany } from './report';

const ROOT = path.resolve(__dirname, '..');
const N = 100_000;

/** A deterministic PRNG (mulberry32), so every run measures the same catalog. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GPUS: [string, number][] = [['T4', 16], ['A10G', 24], ['L4', 24], ['L40S', 48], ['V100', 16], ['A100', 40], ['A100', 80], ['H100', 80]];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1'];
const BACKENDS: BackendId[] = ['aws', 'kubernetes', 'remote'];
const AVAILABILITY: Availability[] = ['unknown', 'unknown', 'unknown', 'available', 'no_quota', 'not_available'];

/** 100,000 offers: a third CPU-only, the rest 1-8 GPUs of eight models, random prices, regions and availability. */
function syntheticCatalog(): Offer[] {
  const r = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const offers: Offer[] = [];
  for (let i = 0; i < N; i++) {
    const cpus = 2 ** (1 + Math.floor(r() * 7));
    const gpuCount = r() < 0.33 ? 0 : 2 ** Math.floor(r() * 4);
    const [name, memoryGB] = pick(GPUS);
    offers.push({
      backend: pick(BACKENDS),
      region: pick(REGIONS),
      instanceType: `type-${i}`,
      resources: {
        cpuArch: r() < 0.1 ? 'arm' : 'x86', cpus, memoryGB: cpus * 4, diskGB: 100,
        gpus: Array.from({ length: gpuCount }, () => ({ name, vendor: 'nvidia' as const, memoryGB })),
        spot: r() < 0.3,
      },
      pricePerHour: Math.round(r() * 60_000) / 1000,
      availability: pick(AVAILABILITY),
    });
  }
  return offers;
}

const request = (over: Partial<Requirements['resources']>, rest: Partial<Requirements> = {}): Requirements => ({
  resources: {
    cpu: { arch: null, count: { min: 1, max: null } }, memory: { min: 0, max: null }, shm_size: null, disk: null,
    gpu: { vendor: null, name: null, count: { min: 0, max: null }, memory: null, total_memory: null, compute_capability: null },
    ...over,
  },
  spot: null, maxPrice: null, regions: null, instanceTypes: null, ...rest,
});

/** What `selectOffers` does for one list not yet in price order: match with its `filterOffers`, then sort by price with unavailable offers last. */
function matchAndOrder(offers: readonly Offer[], req: Requirements): Offer[] {
  return orderOffers(filterOffers(offers, compileRequirements(req)));
}

function median(samples: number[]): number {
  return percentile(samples, 50);
}

/** Runs the offers benchmarks. */
export async function run(): Promise<void> {
  const catalog = syntheticCatalog();
  const baseline = () => catalog.filter((o) => o.pricePerHour >= 0).sort((a, b) => a.pricePerHour - b.pricePerHour);
  const base = median(timeMany(15, baseline));
  const cases: [string, Requirements][] = [
    ['match+order 100k: --gpu 24GB..:1.. --max-price 10', request({ gpu: { vendor: null, name: null, count: { min: 1, max: null }, memory: { min: 24, max: null }, total_memory: null, compute_capability: null } }, { maxPrice: 10 })],
    ['match+order 100k: --gpu A100,H100 --region x2', request({ gpu: { vendor: 'nvidia', name: ['A100', 'H100'], count: { min: 1, max: null }, memory: null, total_memory: null, compute_capability: null } }, { regions: ['us-east-1', 'eu-west-1'] })],
    ['match+order 100k: unconstrained (all match)', request({})],
  ];
  for (const [name, req] of cases) {
    const matched = matchAndOrder(catalog, req).length;
    const value = median(timeMany(15, () => matchAndOrder(catalog, req)));
    report({ name: `${name} (${matched} match)`, value, unit: 'ms', baseline: { name: 'filter(trivial)+sort', value: base }, target: '<= 25 ms', met: value <= 25 });
  }

  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'ignore' });
  const [nodeBaseline = NaN, offerCold = NaN] = coldStartsMs([['-e', '0'], ['dist/cli.js', 'offer', '--json']], 7, ROOT);
  report({ name: 'offer --json cold start (dist/cli.js)', value: offerCold, unit: 'ms', baseline: { name: 'node -e 0', value: nodeBaseline } });
}
