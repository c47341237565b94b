// The AWS backend as the registry sees it: configured from the environment, and loaded (with the AWS SDK) only
// on its first call. Bundled builds load the separately built `dist/aws.js` chunk; runs from source load
// `./aws-backend` — so the SDK is never part of the extension's or the CLI's eager path.

import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Backend, InstanceJob, ProviderInstance, Requirements, ResourceTags } from '../backend';
import type { Offer } from '../offer';
import type { AwsBackendOptions } from './aws-backend';
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

/** Loads the AWS module: the built chunk beside the running bundle, else the source next to this file. */
function loadAwsModule(): AwsModule {
  const chunk = path.join(__dirname, AWS_CHUNK);
  const load = createRequire(__filename);
  return load(fs.existsSync(chunk) ? chunk : './aws-backend') as AwsModule;
}

/**
 * An AWS backend that loads the SDK on its first call. With `agents`, it is the whole EC2 path: the job is kept
 * before RunInstances, and once EC2 reports the instance running, refresh starts the agent over SSH (upload,
 * init) and reports the environment's readiness and endpoint; terminate forgets the job and the pinned key.
 */
export class LazyAwsBackend implements Backend {
  readonly id = 'aws' as const;
  readonly capabilities = AWS_CAPABILITIES;
  private backend: Backend | undefined;

  constructor(private readonly options: AwsBackendOptions, private readonly load: () => AwsModule = loadAwsModule, private readonly agents?: InstanceAgents) {}

  /** The real backend (loading the SDK on first use). */
  loaded(): Backend {
    this.backend ??= new (this.load().AwsBackend)(this.options);
    return this.backend;
  }

  async listOffers(req?: Requirements): Promise<Offer[]> { return this.loaded().listOffers(req); }
  async create(offer: Offer, tags: ResourceTags, sshPublicKey: string, job?: InstanceJob): Promise<ProviderInstance> {
    const backend = this.loaded();
    await this.agents?.prepare(offer, tags, sshPublicKey, job);
    return backend.create(offer, tags, sshPublicKey);
  }

  async refresh(instanceIds: string[]): Promise<ProviderInstance[]> {
    const views = await this.loaded().refresh(instanceIds);
    return this.agents ? this.agents.attach(views) : views;
  }

  async listTagged(installation: string): Promise<ProviderInstance[]> { return this.loaded().listTagged(installation); }

  async terminate(instanceId: string): Promise<void> {
    await this.loaded().terminate(instanceId);
    await this.agents?.forget(instanceId);
  }

  /** Closes the SSH connections to instances (the CLI's exit). */
  async close(): Promise<void> { await this.agents?.close(); }
}
