// Accelerators the catalog and the matcher know: gpuhunt's short names, vendor, memory and (NVIDIA) compute capability.
import type { GpuVendor } from '../../schema/model';

/** One known accelerator model (gpuhunt's KNOWN_ACCELERATORS entry). */
export interface KnownGpu {
  name: string;
  vendor: GpuVendor;
  /** Memory per device, GB. */
  memoryGB: number;
  /** NVIDIA compute capability [major, minor]; absent for other vendors. */
  computeCapability?: [number, number];
}

const nv = (name: string, memoryGB: number, cc: [number, number]): KnownGpu => ({ name, vendor: 'nvidia', memoryGB, computeCapability: cc });
const other = (vendor: GpuVendor, name: string, memoryGB: number): KnownGpu => ({ name, vendor, memoryGB });

/** gpuhunt 0.1.30 `KNOWN_ACCELERATORS` (constraints.py), in its order. */
export const KNOWN_GPUS: readonly KnownGpu[] = [
  nv('A10', 24, [8, 6]), nv('A16', 16, [8, 6]), nv('A40', 48, [8, 6]), nv('A100', 40, [8, 0]), nv('A100', 80, [8, 0]),
  nv('A10G', 24, [8, 6]), nv('A4000', 16, [8, 6]), nv('A4500', 20, [8, 6]), nv('A5000', 24, [8, 6]), nv('A6000', 48, [8, 6]),
  nv('H100', 80, [9, 0]), nv('H100NVL', 94, [9, 0]), nv('H200', 141, [9, 0]), nv('B200', 180, [10, 0]),
  nv('L4', 24, [8, 9]), nv('L40', 48, [8, 9]), nv('L40S', 48, [8, 9]), nv('P100', 16, [6, 0]),
  nv('RTX3060', 8, [8, 6]), nv('RTX3060', 12, [8, 6]), nv('RTX3060Ti', 8, [8, 6]), nv('RTX3070Ti', 8, [8, 6]),
  nv('RTX3080', 10, [8, 6]), nv('RTX3080Ti', 12, [8, 6]), nv('RTX3090', 24, [8, 6]), nv('RTX4090', 24, [8, 9]),
  nv('RTX6000', 24, [7, 5]), nv('RTX2000Ada', 16, [8, 9]), nv('RTX4000Ada', 20, [8, 9]), nv('RTX6000Ada', 48, [8, 9]),
  nv('T4', 16, [7, 5]), nv('V100', 16, [7, 0]), nv('V100', 32, [7, 0]), nv('GH200', 96, [9, 0]),
  other('amd', 'MI100', 32), other('amd', 'MI210', 64), other('amd', 'MI250', 128), other('amd', 'MI250X', 128),
  other('amd', 'MI300A', 128), other('amd', 'MI300X', 192), other('amd', 'MI308X', 128), other('amd', 'MI325X', 288),
  ...['v2', 'v3', 'v4', 'v5p', 'v5litepod', 'v6e'].map((v) => other('google', v, 0)),
  other('intel', 'Gaudi', 32), other('intel', 'Gaudi2', 96), other('intel', 'Gaudi3', 128),
  other('tenstorrent', 'n150', 12), other('tenstorrent', 'n300', 24),
];

const byLowerName = new Map<string, KnownGpu>();
for (const gpu of KNOWN_GPUS) if (!byLowerName.has(gpu.name.toLowerCase())) byLowerName.set(gpu.name.toLowerCase(), gpu);

/** The first known accelerator with this name (case-insensitive), as gpuhunt's `find_accelerators`. */
export function findKnownGpu(name: string): KnownGpu | undefined {
  return byLowerName.get(name.toLowerCase());
}

/** NVIDIA compute capability of a GPU name, or null when the name is not a known NVIDIA GPU (gpuhunt semantics). */
export function computeCapabilityOf(name: string): [number, number] | null {
  const gpu = findKnownGpu(name);
  return gpu?.vendor === 'nvidia' && gpu.computeCapability ? gpu.computeCapability : null;
}
