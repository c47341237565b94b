// SSH fleets applied with `apply -f fleet.dstack.yml`, kept beside the orchestrator state in
// `fleets.json` (written atomically under its own lock, like state.json). Re-applying a fleet of the
// same name replaces its hosts.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SshParams } from '../../schema/model';
import { writeFileAtomic } from '../store/atomic-file';
import { withFileLock } from '../store/lock';

/** One SSH fleet as the orchestrator keeps it. */
export interface StoredFleet {
  name: string;
  /** The fleet's `ssh_config`, as normalized by the language core. */
  sshConfig: SshParams;
  /** Folder relative identity files resolve against (the configuration file's). */
  configDir: string;
  /** Where it came from: the configuration file, or the setting that defined it. */
  source: string;
  /** Price per hour of each host's offer; null = 0, as dstack's SSH fleets. */
  pricePerHour: number | null;
  createdAt: number;
  updatedAt: number;
}

/** The fleets file is not what we wrote; the message names the file and the fix. */
export class FleetStoreError extends Error {
  override name = 'FleetStoreError';
}

interface FleetsFile {
  version: 1;
  fleets: StoredFleet[];
}

function isFleet(v: unknown): v is StoredFleet {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Partial<StoredFleet>;
  return typeof f.name === 'string' && typeof f.configDir === 'string' && typeof f.sshConfig === 'object' && f.sshConfig !== null && Array.isArray(f.sshConfig.hosts);
}

/** The stored fleets of one state dir. */
export class FleetStore {
  readonly file: string;
  private readonly lockFile: string;

  constructor(readonly dir: string) {
    this.file = path.join(dir, 'fleets.json');
    this.lockFile = path.join(dir, 'fleets.lock');
  }

  /** The fleets, in the order they were first applied (none when the file does not exist). */
  list(): StoredFleet[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new FleetStoreError(`${this.file}: not valid JSON; re-apply your fleet configurations after moving this file away`);
    }
    const fleets = (parsed as Partial<FleetsFile> | null)?.fleets;
    if (!Array.isArray(fleets) || !fleets.every(isFleet)) throw new FleetStoreError(`${this.file}: not a fleets file (expected {"version": 1, "fleets": [...]}); re-apply your fleet configurations after moving this file away`);
    return fleets;
  }

  /** The fleet named `name`, if stored. */
  get(name: string): StoredFleet | undefined {
    return this.list().find((f) => f.name === name);
  }

  /** Adds the fleet or replaces the one of the same name (keeping its creation time). Returns what is stored. */
  async upsert(fleet: Omit<StoredFleet, 'createdAt' | 'updatedAt'>, now: number): Promise<StoredFleet> {
    return this.write((fleets) => {
      const i = fleets.findIndex((f) => f.name === fleet.name);
      const stored: StoredFleet = { ...fleet, createdAt: i >= 0 ? (fleets[i] as StoredFleet).createdAt : now, updatedAt: now };
      if (i >= 0) fleets[i] = stored;
      else fleets.push(stored);
      return stored;
    });
  }

  /** Removes the fleet; false when there was none of that name. */
  async remove(name: string): Promise<boolean> {
    return this.write((fleets) => {
      const i = fleets.findIndex((f) => f.name === name);
      if (i < 0) return false;
      fleets.splice(i, 1);
      return true;
    });
  }

  private async write<T>(fn: (fleets: StoredFleet[]) => T): Promise<T> {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    return withFileLock(this.lockFile, () => {
      const fleets = this.list();
      const result = fn(fleets);
      const file: FleetsFile = { version: 1, fleets };
      writeFileAtomic(this.file, `${JSON.stringify(file, null, 2)}\n`);
      return result;
    });
  }
}
