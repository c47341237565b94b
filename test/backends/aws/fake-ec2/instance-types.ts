// The instance types the EC2 fake serves, with the facts DescribeInstanceTypes reports for them on AWS: the
// catalog's types (GPU memory as EC2 reports it: what the driver can use, e.g. 22888 MiB for an L4, not the
// nominal 24 GB), plus types the catalog does not know: a current x86 CPU type, a GPU type of a newer family
// and an arm64 (Graviton) type the backend's x86_64 images cannot boot.

import { AWS_INSTANCES } from '../../../../src/backends/catalog';

/** One instance type of the fake. */
export interface FakeInstanceType {
  instanceType: string;
  vcpus: number;
  memoryMiB: number;
  architectures: ('x86_64' | 'arm64' | 'i386')[];
  gpu?: { name: string; manufacturer: string; count: number; memoryMiB: number };
  /** The regions that have it, with the on-demand list price the fake bases its spot price on ($/hour). */
  listUsd: Readonly<Record<string, number>>;
}

/** Per-GPU memory as DescribeInstanceTypes reports it (MiB), by model. */
const GPU_MIB: Record<string, number> = { T4: 16384, A10G: 24576, L4: 22888, L40S: 45776, V100: 16384, A100: 40960, H100: 81920 };

/** Types the catalog does not have (no on-demand price known to the backend). */
export const UNCATALOGUED_TYPES: readonly FakeInstanceType[] = [
  { instanceType: 'c7a.large', vcpus: 2, memoryMiB: 4096, architectures: ['x86_64'], listUsd: { 'us-east-1': 0.10264, 'eu-west-1': 0.1142 } },
  { instanceType: 'gr6.4xlarge', vcpus: 16, memoryMiB: 131072, architectures: ['x86_64'], gpu: { name: 'L4', manufacturer: 'NVIDIA', count: 1, memoryMiB: 22888 }, listUsd: { 'us-east-1': 1.5392 } },
  { instanceType: 'm7g.large', vcpus: 2, memoryMiB: 8192, architectures: ['arm64'], listUsd: { 'us-east-1': 0.0816, 'eu-west-1': 0.0892 } },
];

/** Every type the fake serves. */
export const FAKE_INSTANCE_TYPES: readonly FakeInstanceType[] = [
  ...AWS_INSTANCES.map((f): FakeInstanceType => ({
    instanceType: f.instanceType, vcpus: f.cpus, memoryMiB: f.memoryGB * 1024, architectures: ['x86_64'], listUsd: f.onDemandUsd,
    ...(f.gpu ? { gpu: { name: f.gpu.name, manufacturer: 'NVIDIA', count: f.gpu.count, memoryMiB: GPU_MIB[f.gpu.name] ?? f.gpu.memoryGB * 1024 } } : {}),
  })),
  ...UNCATALOGUED_TYPES,
];

/** The type named `instanceType` when `region` has it. */
export function fakeTypeIn(region: string, instanceType: string): FakeInstanceType | undefined {
  return FAKE_INSTANCE_TYPES.find((t) => t.instanceType === instanceType && t.listUsd[region] !== undefined);
}
