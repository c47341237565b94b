// Turns an SSH fleet's `ssh_config` (dstack's `type: fleet`) into connection targets: per-host values
// override the fleet-wide ones, identity files resolve against the config file's directory, and
// `proxy_jump` becomes a jump hop.

import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SshHostParams, SshParams } from '../../schema/model';
import type { SshTarget } from './connect';

/** A fleet host ready to connect to. */
export interface FleetHost {
  hostname: string;
  /** Where errors point: `ssh_config.hosts[2]`. */
  field: string;
  target: SshTarget;
  /** The identity files used (absolute), for messages and the generated ssh config. */
  identityFiles: string[];
  /** The identity file that logs in to the host itself, and the jump host's (absolute), when configured. */
  hostIdentityFile?: string;
  jumpIdentityFile?: string;
  internalIp: string | null;
  blocks: number | 'auto' | null;
  /** Price per hour of this host's offer (default: the backend's, 0). */
  pricePerHour?: number;
}

/** A fleet config problem, naming the field and the fix. */
export class FleetConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'FleetConfigError';
  }
}

/** Options of `fleetHosts`. */
export interface FleetHostsOptions {
  /** Directory of the fleet configuration file (relative identity files resolve against it). */
  configDir: string;
  /** Our own key, tried after the configured identity (the agent authorizes it on the hosts). */
  ownKey?: string;
  home?: string;
}

/** A HostKeyAlias for a fleet host: stable per host and port, valid in ssh_config. */
export function fleetHostKeyAlias(kind: 'host' | 'jump', hostname: string, port: number): string {
  return `fleet-${kind}-${hostname.replace(/[^A-Za-z0-9._-]/g, '_')}${port === 22 ? '' : `-${port}`}`;
}

function expand(file: string, configDir: string, home: string): string {
  if (file === '~' || file.startsWith('~/')) return path.join(home, file.slice(1));
  return path.resolve(configDir, file);
}

async function readKey(file: string, field: string): Promise<Buffer> {
  try {
    return await fsp.readFile(file);
  } catch (e) {
    throw new FleetConfigError(field, `cannot read the identity file ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Fix the path; relative paths are relative to the configuration file's folder.`);
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Resolves every host of `params` (reads the identity files; connects to nothing). */
export async function fleetHosts(params: SshParams, options: FleetHostsOptions): Promise<FleetHost[]> {
  const home = options.home ?? os.homedir();
  const out: FleetHost[] = [];
  for (const [i, host] of params.hosts.entries()) {
    const field = `ssh_config.hosts[${i}]`;
    out.push(await resolveHost(params, host, field, options, home));
  }
  return out;
}

async function resolveHost(params: SshParams, host: SshHostParams, field: string, options: FleetHostsOptions, home: string): Promise<FleetHost> {
  const user = host.user ?? params.user ?? null;
  if (user === null || user === '') throw new FleetConfigError(`${field}.user`, `no SSH user for ${host.hostname}: set ssh_config.user (for all hosts) or user on this host.`);
  const port = host.port ?? params.port ?? 22;
  const keys: Buffer[] = [];
  const identityFiles: string[] = [];
  const inlineKey = host.ssh_key ?? params.ssh_key ?? null;
  if (inlineKey) keys.push(Buffer.from(inlineKey.private));
  const identity = host.identity_file ?? params.identity_file ?? null;
  let hostIdentityFile: string | undefined;
  let jumpIdentityFile: string | undefined;
  if (identity !== null) {
    const file = expand(identity, options.configDir, home);
    identityFiles.push(file);
    hostIdentityFile = file;
    keys.push(await readKey(file, `${field}.identity_file`));
  }
  if (options.ownKey !== undefined) keys.push(Buffer.from(options.ownKey));
  if (keys.length === 0) throw new FleetConfigError(`${field}.identity_file`, `no key to log in to ${host.hostname}: set ssh_config.identity_file (e.g. ~/.ssh/id_ed25519).`);

  const target: SshTarget = { host: host.hostname, port, user, privateKeys: keys, hostKeyAlias: fleetHostKeyAlias('host', host.hostname, port) };
  const pj = host.proxy_jump ?? params.proxy_jump ?? null;
  if (pj !== null) {
    const jfield = `${host.proxy_jump ? field : 'ssh_config'}.proxy_jump`;
    const jHost = str(pj.hostname);
    const jUser = str(pj.user);
    if (jHost === undefined) throw new FleetConfigError(`${jfield}.hostname`, 'the jump host needs a hostname.');
    if (jUser === undefined) throw new FleetConfigError(`${jfield}.user`, `the jump host ${jHost} needs a user.`);
    const jPort = typeof pj.port === 'number' ? pj.port : 22;
    const jKeys: Buffer[] = [];
    const jIdentity = str(pj.identity_file);
    if (jIdentity !== undefined) {
      const file = expand(jIdentity, options.configDir, home);
      identityFiles.push(file);
      jumpIdentityFile = file;
      jKeys.push(await readKey(file, `${jfield}.identity_file`));
    }
    jKeys.push(...keys);
    target.jump = { host: jHost, port: jPort, user: jUser, privateKeys: jKeys, hostKeyAlias: fleetHostKeyAlias('jump', jHost, jPort) };
  }
  const out: FleetHost = { hostname: host.hostname, field, target, identityFiles, internalIp: host.internal_ip ?? null, blocks: host.blocks ?? null };
  if (hostIdentityFile !== undefined) out.hostIdentityFile = hostIdentityFile;
  if (jumpIdentityFile !== undefined) out.jumpIdentityFile = jumpIdentityFile;
  return out;
}
