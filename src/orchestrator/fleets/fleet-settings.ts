// SSH fleets defined outside configuration files: the `DSTACK_VSC_SSH_HOSTS` environment variable (JSON)
// for the CLI, and the same value from the extension's settings. Accepted shapes: one fleet
// `{"name": "...", "ssh_config": {...}, "price": 0.5}`, a list of them, or a bare `ssh_config`
// (`{"user": "ubuntu", "identity_file": "~/.ssh/id_ed25519", "hosts": ["10.0.0.5", {"hostname": "gpu-1"}]}`).

import * as os from 'node:os';
import type { SshHostParams, SshParams } from '../../schema/model';
import type { StoredFleet } from './fleet-store';

/** The environment variable holding fleets as JSON. */
export const SSH_HOSTS_ENV = 'DSTACK_VSC_SSH_HOSTS';

/** A fleet setting is malformed; the message names the setting, the field and the fix. */
export class FleetSettingsError extends Error {
  override name = 'FleetSettingsError';
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hostOf(v: unknown, field: string, source: string): SshHostParams {
  if (typeof v === 'string' && v !== '') return { hostname: v };
  if (isObj(v) && typeof v['hostname'] === 'string' && v['hostname'] !== '') return v as unknown as SshHostParams;
  throw new FleetSettingsError(`${source}: ${field}: expected a host name or {"hostname": "..."}`);
}

function sshConfigOf(v: unknown, field: string, source: string): SshParams {
  if (!isObj(v) || !Array.isArray(v['hosts']) || v['hosts'].length === 0) {
    throw new FleetSettingsError(`${source}: ${field}: expected {"hosts": ["host", ...]} with at least one host (plus user, port, identity_file, proxy_jump as in ssh_config)`);
  }
  const hosts = v['hosts'].map((h, i) => hostOf(h, `${field}.hosts[${i}]`, source));
  return { ...(v as unknown as SshParams), hosts };
}

function fleetOf(v: unknown, index: number | null, source: string, now: number): StoredFleet {
  const field = index === null ? 'value' : `[${index}]`;
  if (!isObj(v)) throw new FleetSettingsError(`${source}: ${field}: expected a fleet object {"name": "...", "ssh_config": {...}}`);
  const isBare = v['ssh_config'] === undefined;
  const sshConfig = sshConfigOf(isBare ? v : v['ssh_config'], isBare ? field : `${field}.ssh_config`, source);
  const name = typeof v['name'] === 'string' && v['name'] !== '' ? v['name'] : `settings-fleet${index === null || index === 0 ? '' : `-${index}`}`;
  const price = v['price'];
  if (price !== undefined && (typeof price !== 'number' || !(price >= 0))) throw new FleetSettingsError(`${source}: ${field}.price: expected a price per hour of 0 or more`);
  return { name, sshConfig, configDir: os.homedir(), source, pricePerHour: typeof price === 'number' ? price : null, createdAt: now, updatedAt: now };
}

/** Fleets from a settings value (already parsed JSON). Relative identity files resolve against the home folder. */
export function fleetsFromSettings(value: unknown, source: string, now = 0): StoredFleet[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((v, i) => fleetOf(v, i, source, now));
  return [fleetOf(value, null, source, now)];
}

/** Fleets from `DSTACK_VSC_SSH_HOSTS` (none when unset or empty). */
export function fleetsFromEnv(env: NodeJS.ProcessEnv): StoredFleet[] {
  const text = env[SSH_HOSTS_ENV];
  if (text === undefined || text.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FleetSettingsError(`${SSH_HOSTS_ENV}: not valid JSON (${(err as Error).message}); expected e.g. {"user": "ubuntu", "hosts": ["10.0.0.5"]}`);
  }
  return fleetsFromSettings(value, SSH_HOSTS_ENV);
}
