// What DescribeInstanceTypes says about one instance type, in the offer model's terms: vCPUs, memory, CPU
// architecture, GPUs (model, vendor, memory, count) and the markets it can be bought in.

import type { InstanceTypeInfo } from '@aws-sdk/client-ec2';
import type { CpuArch, GpuVendor } from '../../schema/model';
import { KNOWN_GPUS } from '../catalog';

/** One instance type as the API describes it. */
export interface ApiInstanceType {
  instanceType: string;
  cpus: number;
  memoryGB: number;
  /** `x86` for x86_64 (also when it supports i386), `arm` for arm64; null for anything else (mac, ...). */
  cpuArch: CpuArch | null;
  gpu?: { name: string; vendor: GpuVendor; memoryGB: number; count: number };
  /** SupportedUsageClasses: whether it can be launched on-demand and as spot. */
  onDemand: boolean;
  spot: boolean;
}

const VENDORS: readonly GpuVendor[] = ['nvidia', 'amd', 'intel', 'google', 'tenstorrent'];

/**
 * A GPU as EC2 names it, in dstack's (gpuhunt's) terms. EC2 reports the memory the driver can use, a little under
 * the nominal size users write (an L4 is 22888 MiB, a `gpu: L4:24GB` in configurations): a known model takes its
 * nominal size nearest to the API's figure (within 15%), anything else the API's figure rounded to whole GB.
 */
export function gpuFromApi(rawName: string, manufacturer: string | undefined, memoryMiB: number): { name: string; vendor: GpuVendor; memoryGB: number } {
  const maker = (manufacturer ?? '').toLowerCase();
  const name = rawName.trim().replace(new RegExp(`^${maker.replace(/[^a-z0-9]/g, '')}\\s+`, 'i'), '');
  const apiGB = memoryMiB / 1024;
  const known = KNOWN_GPUS.filter((g) => g.name.toLowerCase() === name.toLowerCase());
  const nearest = [...known].sort((a, b) => Math.abs(a.memoryGB - apiGB) - Math.abs(b.memoryGB - apiGB))[0];
  if (nearest && (apiGB === 0 || Math.abs(nearest.memoryGB - apiGB) <= nearest.memoryGB * 0.15)) {
    return { name: nearest.name, vendor: nearest.vendor, memoryGB: nearest.memoryGB };
  }
  const vendor = VENDORS.find((v) => maker.includes(v)) ?? known[0]?.vendor ?? 'nvidia';
  return { name: known[0]?.name ?? name, vendor, memoryGB: Math.round(apiGB) };
}

/** The facts of one DescribeInstanceTypes item, or null when it lacks the basics (type, vCPUs, memory). */
export function apiInstanceType(info: InstanceTypeInfo): ApiInstanceType | null {
  const cpus = info.VCpuInfo?.DefaultVCpus;
  const memoryMiB = info.MemoryInfo?.SizeInMiB;
  if (!info.InstanceType || cpus === undefined || memoryMiB === undefined) return null;
  const archs = info.ProcessorInfo?.SupportedArchitectures ?? [];
  const cpuArch: CpuArch | null = archs.includes('x86_64') ? 'x86' : archs.includes('arm64') ? 'arm' : null;
  const classes = info.SupportedUsageClasses ?? ['on-demand', 'spot'];
  const out: ApiInstanceType = {
    instanceType: info.InstanceType, cpus, memoryGB: memoryMiB / 1024, cpuArch,
    onDemand: classes.includes('on-demand'), spot: classes.includes('spot'),
  };
  const gpus = (info.GpuInfo?.Gpus ?? []).filter((g) => (g.Count ?? 0) > 0 && g.Name);
  const first = gpus[0];
  if (first?.Name) {
    // One model per instance type (EC2 has no mixed types); the count is the sum of the entries.
    const count = gpus.reduce((n, g) => n + (g.Count ?? 0), 0);
    out.gpu = { ...gpuFromApi(first.Name, first.Manufacturer, first.MemoryInfo?.SizeInMiB ?? 0), count };
  }
  return out;
}
