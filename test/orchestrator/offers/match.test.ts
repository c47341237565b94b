import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AWS_INSTANCES, catalogOffers } from '../../../src/backends/catalog';
import type { Offer } from '../../../src/backends/offer';
import { compileRequirements, offerRequirements, selectOffers, unconstrainedResources } from '../../../src/orchestrator/offers';
import { parseCpuSpec, parseDiskSpec, parseGpuSpec, parseMemoryRange } from '../../../src/schema';
import type { CpuSpec, DiskSpec, GpuSpec, Range, ResourcesSpec } from '../../../src/schema/model';
import { gpu, makeOffer, requirements } from './helpers';

interface Vector { input: unknown; output?: unknown; error?: string }
const vectors = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/offers/parser-vectors.json'), 'utf8')) as Record<string, Vector[]>;
const CATALOG = catalogOffers('aws');
const key = (o: Offer) => `${o.instanceType}@${o.region}`;

const between = (v: number, r: Range | null) => r === null || ((r.min === null || v >= r.min) && (r.max === null || v <= r.max));

/**
 * The expected matches computed straight from the raw catalog facts, following gpuhunt's `matches` line by line
 * (AWS items have no disk size: the disk request must intersect AWS's 100GB..16TB instead).
 */
function oracle(res: ResourcesSpec): string[] {
  const out: string[] = [];
  for (const facts of AWS_INSTANCES) {
    for (const region of Object.keys(facts.onDemandUsd)) {
      const count = facts.gpu?.count ?? 0;
      const g = res.gpu;
      let ok = (res.cpu.arch === null || res.cpu.arch === 'x86') && between(facts.cpus, res.cpu.count) && between(facts.memoryGB, res.memory);
      if (g && !(g.count.min === 0 && count === 0)) {
        const mem = count > 0 ? facts.gpu!.memoryGB : 0;
        if (g.vendor && g.vendor !== (count > 0 ? 'nvidia' : null)) ok = false;
        if (!between(count, g.count)) ok = false;
        if (g.name !== null && !(facts.gpu && g.name.map((n) => n.toLowerCase()).includes(facts.gpu.name.toLowerCase()))) ok = false;
        if (g.compute_capability !== null) ok = false; // set per test below where needed
        if (!between(mem, g.memory)) ok = false;
        if (!between(count * mem, g.total_memory)) ok = false;
      }
      if (res.disk) {
        const min = Math.max(100, res.disk.size.min ?? 0);
        const max = Math.min(16384, res.disk.size.max ?? Infinity);
        if (min > max) ok = false;
      }
      if (ok) out.push(`${facts.instanceType}@${region}`);
    }
  }
  return out.sort();
}

function matched(res: ResourcesSpec): string[] {
  const matcher = compileRequirements(requirements(res));
  return CATALOG.filter((o) => matcher.matches(o)).map(key).sort();
}

const withGpu = (g: GpuSpec): ResourcesSpec => ({ ...unconstrainedResources(), gpu: g });
const typesOf = (keys: string[]) => [...new Set(keys.map((k) => k.split('@')[0]))].sort();

describe('offer matching against the catalog (every parser vector form)', () => {
  for (const v of vectors['resources.gpu']!) {
    const label = JSON.stringify(v.input);
    if (v.error !== undefined) {
      it(`gpu ${label} is rejected by the grammar`, () => assert.throws(() => parseGpuSpec(v.input)));
      continue;
    }
    it(`gpu ${label}`, () => {
      const spec = parseGpuSpec(v.input);
      assert.deepEqual(spec, v.output, 'the parser disagrees with the vector');
      if (spec.compute_capability !== null) return; // covered by the compute capability tests
      assert.deepEqual(matched(withGpu(spec)), oracle(withGpu(spec)));
    });
  }
  for (const v of vectors['resources.cpu']!) {
    const label = JSON.stringify(v.input);
    if (v.error !== undefined) continue;
    it(`cpu ${label}`, () => {
      const spec: CpuSpec = parseCpuSpec(v.input);
      assert.deepEqual(spec, v.output);
      const res = { ...unconstrainedResources(), cpu: spec };
      assert.deepEqual(matched(res), oracle(res));
    });
  }
  for (const v of vectors['range.memory']!) {
    const label = JSON.stringify(v.input);
    if (v.error !== undefined) continue;
    it(`memory ${label}`, () => {
      const range = parseMemoryRange(v.input);
      assert.deepEqual(range, v.output);
      const res = { ...unconstrainedResources(), memory: range };
      assert.deepEqual(matched(res), oracle(res));
    });
  }
  for (const v of vectors['resources.disk']!) {
    const label = JSON.stringify(v.input);
    it(`disk ${label}`, () => {
      const spec = parseDiskSpec(v.input) as DiskSpec;
      assert.deepEqual(spec, v.output);
      const res = { ...unconstrainedResources(), disk: spec };
      assert.deepEqual(matched(res), oracle(res));
    });
  }

  it('pins the results that matter: A100 = p4d, H100:8 = p5, 4 GPUs of 16GB+ = the 4-GPU g4dn/g5/g6/g6e/p3 sizes', () => {
    assert.deepEqual(matched(withGpu(parseGpuSpec('A100'))), ['p4d.24xlarge@us-east-1', 'p4d.24xlarge@us-west-2']);
    assert.deepEqual(matched(withGpu(parseGpuSpec('H100:8'))), ['p5.48xlarge@us-east-1', 'p5.48xlarge@us-west-2']);
    assert.deepEqual(matched(withGpu(parseGpuSpec('A100:80GB:2'))), []);
    assert.deepEqual(typesOf(matched(withGpu(parseGpuSpec('16GB..:2..4')))),
      ['g4dn.12xlarge', 'g5.12xlarge', 'g5.24xlarge', 'g6.12xlarge', 'g6.24xlarge', 'g6e.12xlarge', 'g6e.24xlarge', 'p3.8xlarge']);
    assert.deepEqual(typesOf(matched(withGpu(parseGpuSpec('L4:24GB:1..2')))), ['g6.16xlarge', 'g6.2xlarge', 'g6.4xlarge', 'g6.8xlarge', 'g6.xlarge']);
    const cpuOnly = matched(withGpu(parseGpuSpec('0')));
    assert.equal(cpuOnly.length, CATALOG.filter((o) => o.resources.gpus.length === 0).length);
    assert.deepEqual(matched(withGpu(parseGpuSpec('amd'))), []);
    assert.deepEqual(matched(withGpu(parseGpuSpec('tpu'))), []);
    assert.deepEqual(matched({ ...unconstrainedResources(), cpu: parseCpuSpec('arm:8..') }), []);
    assert.deepEqual(matched({ ...unconstrainedResources(), disk: parseDiskSpec({ size: '50GB' }) }), []);
  });
});

describe('offer matching: each constraint', () => {
  const t4 = makeOffer({ type: 'g4dn.xlarge', gpu: { name: 'T4', memoryGB: 16, count: 1 }, price: 0.526 });
  const a100 = makeOffer({ type: 'p4d.24xlarge', cpus: 96, memoryGB: 1152, gpu: { name: 'A100', memoryGB: 40, count: 8 }, price: 21.96 });
  const mi300 = makeOffer({ type: 'mi', cpus: 128, memoryGB: 2048, gpu: { name: 'MI300X', vendor: 'amd', memoryGB: 192, count: 8 }, price: 30 });
  const cpu = makeOffer({ type: 'm5.large', cpus: 2, memoryGB: 8, price: 0.096 });
  const arm = makeOffer({ type: 'local-arm', arch: 'arm', cpus: 8, memoryGB: 32, price: 0, backend: 'local', region: 'local', diskGB: 50 });
  const spot = makeOffer({ type: 'g5.xlarge', gpu: { name: 'A10G', memoryGB: 24, count: 1 }, spot: true, price: 0.4 });
  const all = [t4, a100, mi300, cpu, arm, spot];
  const names = (req: Parameters<typeof compileRequirements>[0]) => all.filter((o) => compileRequirements(req).matches(o)).map((o) => o.instanceType);

  it('GPU-less offers pass GPU filters when zero GPUs are allowed (vendor nvidia from the default image still shows CPUs)', () => {
    assert.deepEqual(names(requirements({ gpu: gpu({ vendor: 'nvidia', count: { min: 0, max: null } }) })), ['g4dn.xlarge', 'p4d.24xlarge', 'm5.large', 'local-arm', 'g5.xlarge']);
    assert.deepEqual(names(requirements({ gpu: gpu({ vendor: 'nvidia' }) })), ['g4dn.xlarge', 'p4d.24xlarge', 'g5.xlarge']);
    assert.deepEqual(names(requirements({ gpu: null })), all.map((o) => o.instanceType));
  });

  it('vendor, names (case-insensitive alternatives), per-GPU memory, total memory and count', () => {
    assert.deepEqual(names(requirements({ gpu: gpu({ vendor: 'amd' }) })), ['mi']);
    assert.deepEqual(names(requirements({ gpu: gpu({ name: ['t4', 'a10g'] }) })), ['g4dn.xlarge', 'g5.xlarge']);
    assert.deepEqual(names(requirements({ gpu: gpu({ memory: { min: 24, max: 40 } }) })), ['p4d.24xlarge', 'g5.xlarge']);
    assert.deepEqual(names(requirements({ gpu: gpu({ total_memory: { min: 320, max: null } }) })), ['p4d.24xlarge', 'mi']);
    assert.deepEqual(names(requirements({ gpu: gpu({ count: { min: 2, max: 8 } }) })), ['p4d.24xlarge', 'mi']);
  });

  it('compute capability is a minimum, NVIDIA only, unknown names never match', () => {
    assert.deepEqual(names(requirements({ gpu: gpu({ compute_capability: [8, 0] }) })), ['p4d.24xlarge', 'g5.xlarge']);
    assert.deepEqual(names(requirements({ gpu: gpu({ compute_capability: [7, 5] }) })), ['g4dn.xlarge', 'p4d.24xlarge', 'g5.xlarge']);
    const unknown = makeOffer({ gpu: { name: 'FancyGPU', memoryGB: 24, count: 1 } });
    assert.equal(compileRequirements(requirements({ gpu: gpu({ compute_capability: [1, 0] }) })).matches(unknown), false);
    const catalog = CATALOG.filter((o) => compileRequirements(requirements({ gpu: gpu({ compute_capability: [8, 9] }) })).matches(o));
    assert.deepEqual([...new Set(catalog.map((o) => o.resources.gpus[0]!.name))].sort(), ['H100', 'L4', 'L40S']);
  });

  it('cpu arch and count, memory', () => {
    assert.deepEqual(names(requirements({ cpu: { arch: 'arm', count: { min: 1, max: null } } })), ['local-arm']);
    assert.deepEqual(names(requirements({ cpu: { arch: null, count: { min: 8, max: 96 } } })), ['p4d.24xlarge', 'local-arm']);
    assert.deepEqual(names(requirements({ memory: { min: null, max: 16 } })), ['g4dn.xlarge', 'm5.large', 'g5.xlarge']);
  });

  it('disk: a fixed disk must lie in the range; a configurable one must intersect it and is sized to its smallest size', () => {
    assert.deepEqual(names(requirements({ disk: { size: { min: 60, max: null } } })), ['g4dn.xlarge', 'p4d.24xlarge', 'mi', 'm5.large', 'g5.xlarge']);
    const aws = catalogOffers('aws', { regions: ['us-east-1'] }).filter((o) => o.instanceType === 'm5.large');
    const sized = selectOffers([aws], requirements({ disk: { size: { min: 250, max: 300 } } })).offers;
    assert.deepEqual(sized.map((o) => o.resources.diskGB), [250]);
    assert.deepEqual(selectOffers([aws], requirements({ disk: { size: { min: null, max: 80 } } })).offers, []);
    assert.deepEqual(selectOffers([aws], requirements({ disk: { size: { min: 20000, max: null } } })).offers, []);
    assert.equal(aws[0]!.resources.diskGB, 100, 'the catalog offer itself is not modified');
  });

  it('spot tri-state and max_price', () => {
    assert.deepEqual(names(requirements({}, { spot: true })), ['g5.xlarge']);
    assert.deepEqual(names(requirements({}, { spot: false })).length, all.length - 1);
    assert.deepEqual(names(requirements({}, { spot: null })).length, all.length);
    assert.deepEqual(names(requirements({}, { maxPrice: 0.526 })), ['g4dn.xlarge', 'm5.large', 'local-arm', 'g5.xlarge']);
  });

  it('backends (ssh = remote), regions and instance types, case-insensitively; an empty list matches nothing', () => {
    const ssh = makeOffer({ backend: 'remote', region: 'gpu-box', type: 'host' });
    const list = [...all, ssh];
    const pick = (r: Partial<Parameters<typeof requirements>[1]>) => list.filter((o) => compileRequirements(requirements({}, r)).matches(o)).map((o) => o.instanceType);
    assert.deepEqual(pick({ backends: ['local', 'remote'] }), ['local-arm', 'host']);
    assert.deepEqual(pick({ regions: ['GPU-Box', 'LOCAL'] }), ['local-arm', 'host']);
    assert.deepEqual(pick({ instanceTypes: ['G4DN.XLARGE'] }), ['g4dn.xlarge']);
    assert.deepEqual(pick({ regions: [] }), []);
  });

  it('reports every failed constraint of an offer', () => {
    const m = compileRequirements(requirements({ gpu: gpu({ name: ['H100'] }), memory: { min: 64, max: null } }, { maxPrice: 1, spot: true }));
    assert.deepEqual(m.failures(t4), ['spot', 'memory', 'gpu_name']);
    assert.deepEqual(m.failures(a100), ['max_price', 'spot', 'gpu_name']);
    assert.deepEqual(m.failures(cpu), ['spot', 'memory', 'gpu_count', 'gpu_name']);
  });

  it("offerRequirements infers the vendor from GPU names only (dstack offer's scratch image)", () => {
    assert.equal(offerRequirements({ ...unconstrainedResources(), gpu: parseGpuSpec('A100') }).resources.gpu?.vendor, 'nvidia');
    assert.equal(offerRequirements({ ...unconstrainedResources(), gpu: parseGpuSpec('MI300X') }).resources.gpu?.vendor, 'amd');
    assert.equal(offerRequirements({ ...unconstrainedResources(), gpu: parseGpuSpec('24GB') }).resources.gpu?.vendor, null);
  });
});
