// The `local` offer: this machine as dstack would describe it (cpus, arch, memory, free disk, no GPU, price 0).
import { statfs } from 'node:fs/promises';
import * as os from 'node:os';
import type { CpuArch } from '../../schema/model';
import type { Offer } from '../offer';

/** What the local offer is built from; tests pass their own values, the CLI uses this machine's. */
export interface LocalMachine {
  hostname: string;
  cpus: number;
  arch: string;
  totalMemoryBytes: number;
  /** Bytes available to an unprivileged user on the filesystem that would hold the environment. */
  freeDiskBytes: number;
}

/** Node's `os.arch()` as dstack's cpu arch; null for architectures dstack does not run on. */
export function cpuArchOf(nodeArch: string): CpuArch | null {
  return nodeArch === 'x64' ? 'x86' : nodeArch === 'arm64' ? 'arm' : null;
}

/** Bytes → GB the way dstack's shim reports them: rounded to whole MiB, then MiB / 1024. */
function bytesToGB(bytes: number): number {
  return Math.round(bytes / 2 ** 20) / 1024;
}

/** The offer for a machine: region `local`, instance type = host name, on-demand, available, $0. */
export function localOfferFor(machine: LocalMachine): Offer | null {
  const cpuArch = cpuArchOf(machine.arch);
  if (cpuArch === null) return null;
  return {
    backend: 'local',
    region: 'local',
    instanceType: machine.hostname,
    resources: {
      cpuArch,
      cpus: machine.cpus,
      memoryGB: bytesToGB(machine.totalMemoryBytes),
      diskGB: bytesToGB(machine.freeDiskBytes),
      gpus: [],
      spot: false,
    },
    pricePerHour: 0,
    availability: 'available',
  };
}

/** Reads this machine (cpu count and arch, memory, free disk under `diskPath`, default the home directory). */
export async function readLocalMachine(diskPath: string = os.homedir()): Promise<LocalMachine> {
  const fs = await statfs(diskPath);
  return {
    hostname: os.hostname(),
    cpus: os.availableParallelism(),
    arch: os.arch(),
    totalMemoryBytes: os.totalmem(),
    freeDiskBytes: fs.bavail * fs.bsize,
  };
}

/** This machine as an offer, or null on an architecture dstack does not support. */
export async function localOffer(diskPath?: string): Promise<Offer | null> {
  return localOfferFor(await readLocalMachine(diskPath));
}
