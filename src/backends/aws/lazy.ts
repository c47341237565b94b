// The AWS backend as the registry sees it: configured from the environment, and loaded (with the AWS SDK) only
// on its first call. Bundled builds load the separately built `dist/aws.js` chunk; runs from source load
// `./aws-backend` — so the SDK is never part of the extension's or the CLI's eager path.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { BackendError, type Backend, type InstanceJob, type ProviderInstance, type Requirements, type ResourceTags } from '../backend';
import type { Offer } from '../offer';
import type { AwsBackendOptions } from './aws-backend';
import type { AwsKeys } from './client';
import { AWS_CAPABILITIES } from './capabilities';
import type { InstanceAgents } from './instance-agent';

/** The chunk esbuild writes next to the extension and CLI bundles. */
export const AWS_CHUNK = 'aws.js';


/**
 * The AWS configuration in the environment, or null when AWS is not configured: DSTACK_VSC_AWS_REGIONS
 * (comma-separated, required), DSTACK_VSC_AWS_PROFILE, DSTACK_VSC_AWS_SSH_CIDR and DSTACK_VSC_AWS_SSH_USER (optional).
 * Credentials and endpoints come from the SDK's own variables (AWS_ACCESS_KEY_ID, AWS_PROFILE, AWS_ENDPOINT_URL_EC2, ...).
 */
export function awsOptionsFromEnv(env: NodeJS.ProcessEnv): AwsBackendOptions | null {
  const regions = (env['DSTACK_VSC_AWS_REGIONS'] ?? '').split(',').map((r) => r.trim()).filter((r) => r !== '');
  if (regions.length === 0) return null;
  const options: AwsBackendOptions = { regions };
  const profile = env['DSTACK_VSC_AWS_PROFILE'];
  if (profile) options.profile = profile;
  const cidr = env['DSTACK_VSC_AWS_SSH_CIDR'];
  if (cidr) options.sshCidr = cidr;
  const user = env['DSTACK_VSC_AWS_SSH_USER'];
  if (user) options.sshUser = user;
  return options;
}

type AwsModule = typeof import('./aws-backend');

/** What the lazy backend adds around the EC2 calls. */
export interface LazyAwsExtras {
  /** The SSH path on instances (agent, upload, init, readiness); absent = EC2 only. */
  agents?: InstanceAgents;
  /** Keys the user entered (VS Code's SecretStorage), read on every call so a change applies at once; undefined = the SDK's default chain. */
  keys?: () => Promise<AwsKeys | undefined>;
}

/** Loads the AWS module: the built chunk beside the running bundle, else the source next to this file. */
function loadAwsModule(): AwsModule {
  // The SDK is pinned and supports the Node 20 this project (and VS Code 1.100) runs on: its notice about later SDK
  // releases needing Node 22 would only clutter the CLI's stderr. A value set by the user wins.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const chunk = path.join(__dirname, AWS_CHUNK);
  const load = createRequire(__filename);
  return load(fs.existsSync(chunk) ? chunk : './aws-backend') as AwsModule;
}

/**
 * An AWS backend that loads the SDK on its first call. With `agents`, it is the whole EC2 path: the job is kept
 * before RunInstances, and once EC2 reports the instance running, refresh starts the agent over SSH (upload,
 * init) and reports the environment's readiness and endpoint; release keeps a finished run's instance idle,
 * reuse starts the next run on it; terminate forgets the job and the pinned key.
 */
export class LazyAwsBackend implements Backend {
  readonly id = 'aws' as const;
  readonly capabilities = AWS_CAPABILITIES;
  private backend: Backend | undefined;
  /** The entered keys the current backend was built with (a fingerprint, not the secret). */
  private keysId: string | undefined;
  private readonly agents: InstanceAgents | undefined;

  constructor(private readonly options: AwsBackendOptions, private readonly load: () => AwsModule = loadAwsModule, private readonly extras: LazyAwsExtras = {}) {
    this.agents = extras.agents;
  }

  /** The real backend (loading the SDK on first use). */
  loaded(): Backend {
    this.backend ??= new (this.load().AwsBackend)(this.options);
    return this.backend;
  }

  /** The backend with the keys entered now (rebuilt when they changed), else the configured credentials. */
  private async current(): Promise<Backend> {
    const keys = await this.extras.keys?.();
    const id = keys ? createHash('sha256').update(`${keys.accessKeyId}\n${keys.secretAccessKey}\n${keys.sessionToken ?? ''}`).digest('hex') : undefined;
    if (this.backend && id === this.keysId) return this.backend;
    this.keysId = id;
    this.backend = new (this.load().AwsBackend)(keys ? { ...this.options, keys } : this.options);
    return this.backend;
  }

  async listOffers(req?: Requirements): Promise<Offer[]> { return (await this.current()).listOffers(req); }
  async create(offer: Offer, tags: ResourceTags, sshPublicKey: string, job?: InstanceJob): Promise<ProviderInstance> {
    const backend = await this.current();
    await this.agents?.prepare(offer, tags, sshPublicKey, job);
    return backend.create(offer, tags, sshPublicKey);
  }

  async refresh(instanceIds: string[]): Promise<ProviderInstance[]> {
    const views = await (await this.current()).refresh(instanceIds);
    return this.agents ? this.agents.attach(views) : views;
  }

  async listTagged(installation: string): Promise<ProviderInstance[]> { return (await this.current()).listTagged(installation); }

  async terminate(instanceId: string): Promise<void> {
    await (await this.current()).terminate(instanceId);
    await this.agents?.forget(instanceId);
  }

  /** Ends the run's environment on the instance and keeps it idle (its watchdog armed); a no-op once done. */
  async release(instanceId: string, idleDurationSecs: number): Promise<void> {
    if (!this.agents || (await this.agents.released(instanceId))) return;
    const [view] = await (await this.current()).refresh([instanceId]);
    if (!view) throw new BackendError('error', `AWS: instance ${instanceId} was not found to keep it idle`);
    await this.agents.release(view, idleDurationSecs);
  }

  /** Puts a new run's job on the idle instance; the next refresh starts it there. */
  async reuse(offer: Offer, tags: ResourceTags, sshPublicKey: string, job: InstanceJob): Promise<void> {
    if (!this.agents) throw new BackendError('invalid', 'AWS: an idle instance can take a new run only with the instance agents (the SSH path)');
    await this.agents.reuse(offer, tags, sshPublicKey, job);
  }

  /** A run's init output on this machine (what `logs` reads); '' without the SSH path. */
  logFile(instanceId: string, runId?: string): string { return this.agents?.logFile(instanceId, runId) ?? ''; }

  /** Closes the SSH connections to instances (the CLI's exit). */
  async close(): Promise<void> { await this.agents?.close(); }
}
