// The AWS (EC2) backend: offers built from the API (instance types, zone offerings, spot prices) with the
// catalog's on-demand prices, instances launched with RunInstances (AMI by filters, our SSH-only security group,
// cloud-init key, sized root disk, spot market options, tags on instance and volumes, a ClientToken), refreshed
// and terminated by our tags across the configured regions.

import {
  DescribeAvailabilityZonesCommand, DescribeInstancesCommand, RunInstancesCommand, TerminateInstancesCommand,
  type EC2Client, type Instance, type DescribeInstancesCommandOutput,
} from '@aws-sdk/client-ec2';
import type { Backend, BackendCapabilities, ProviderInstance, ProviderState, Requirements, ResourceTags } from '../backend';
import { BackendError } from '../backend';
import type { Offer } from '../offer';
import { AWS_DISK_RANGE_GB } from '../catalog';
import { selectOffers } from '../../orchestrator/offers/select';
import { AWS_CAPABILITIES } from './capabilities';
import { createEc2Client, type AwsClientConfig } from './client';
import { ec2ErrorCode, isInstanceQuotaCode, toBackendError, withRetry, type RetryPolicy } from './errors';
import { CPU_IMAGE, findImage, GPU_IMAGE, type ChosenImage } from './images';
import { regionOffers } from './offers';
import { QuotaMemory } from './quota-memory';
import { readRegionFacts, type RegionFacts } from './region-facts';
import { ensureSecurityGroup } from './security-group';
import { clientToken, ec2Tags, resourceTagsOf, TAG_INSTALLATION, TAG_INSTANCE } from './tags';
import { cloudInitUserData } from './user-data';

/** Options of the AWS backend. */
export interface AwsBackendOptions extends AwsClientConfig {
  /** Regions to offer and sweep (at least one). */
  regions: string[];
  /** Where SSH (tcp/22) is allowed from (default 0.0.0.0/0: the client's address is not known in advance). */
  sshCidr?: string;
  /** How long the API's instance types, zone offerings and spot prices are reused, and a quota refusal remembered (default 10 minutes). */
  offersTtlMs?: number;
  /** Retries of throttled calls (default 5 tries, 250 ms first backoff). */
  retry?: Partial<RetryPolicy>;
  /** The login user of the images (default `ubuntu`, the user of both AMIs the backend picks). */
  sshUser?: string;
}

/** The SSH user of the AMIs the backend launches. */
export const AWS_SSH_USER = 'ubuntu';

/** EC2 states still worth tracking (everything but terminated). */
const LIVE_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];

/** EC2 states TerminateInstances still has to act on (shutting-down is already on its way). */
const TERMINABLE_STATES = ['pending', 'running', 'stopping', 'stopped'];

/** Maps EC2's instance state to the orchestrator's view. */
export function providerStateOf(ec2State: string | undefined): ProviderState {
  switch (ec2State) {
    case 'pending': return 'pending';
    case 'running': return 'running';
    case 'terminated': case undefined: return 'gone';
    default: return 'stopping';
  }
}

/** Runs dev environments on EC2 instances. */
export class AwsBackend implements Backend {
  readonly id = 'aws' as const;
  readonly capabilities: BackendCapabilities = AWS_CAPABILITIES;
  private readonly clients = new Map<string, EC2Client>();
  private readonly facts = new Map<string, Promise<RegionFacts>>();
  private readonly images = new Map<string, Promise<ChosenImage>>();
  private readonly groups = new Map<string, Promise<string>>();
  private readonly verified = new Map<string, Promise<void>>();
  /** Region of each instance we created or saw, so refresh asks one region. */
  private readonly regionOf = new Map<string, string>();
  private readonly retry: RetryPolicy;
  /** Launches refused by a family's quota, shown as `no_quota` offers while the offer cache lives. */
  private readonly quotas: QuotaMemory;

  constructor(private readonly options: AwsBackendOptions) {
    if (options.regions.length === 0) {
      throw new BackendError('invalid', 'AWS backend: no regions configured; set DSTACK_VSC_AWS_REGIONS (comma-separated, e.g. us-east-1,eu-west-1) or, in VS Code, the `dstack.aws.regions` setting.');
    }
    this.retry = { attempts: options.retry?.attempts ?? 5, baseMs: options.retry?.baseMs ?? 250 };
    this.quotas = new QuotaMemory(this.offersTtlMs());
  }

  private offersTtlMs(): number {
    return this.options.offersTtlMs ?? 10 * 60_000;
  }

  private client(region: string): EC2Client {
    let c = this.clients.get(region);
    if (!c) {
      c = createEc2Client(region, this.options);
      this.clients.set(region, c);
    }
    return c;
  }

  /** One EC2 call with the bounded throttling retry, failures as BackendError. */
  private async call<T>(region: string, what: string, fn: (c: EC2Client) => Promise<T>, context: { instanceType?: string; spot?: boolean } = {}): Promise<T> {
    try {
      return await withRetry(this.retry, () => fn(this.client(region)));
    } catch (e) {
      throw toBackendError(e, what, { region, ...context });
    }
  }

  /** Memoizes a successful promise per key; a failure is forgotten so the next call tries again. */
  private memo<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
    let p = cache.get(key);
    if (!p) {
      p = make();
      cache.set(key, p);
      p.catch(() => cache.delete(key));
    }
    return p;
  }

  /** Checks that credentials exist and are accepted in `region` (DescribeAvailabilityZones), before anything is created. */
  verifyAccess(region: string): Promise<void> {
    return this.memo(this.verified, region, async () => {
      await this.call(region, 'checking credentials (DescribeAvailabilityZones)', (c) => c.send(new DescribeAvailabilityZonesCommand({})));
    });
  }

  private regionFacts(region: string): Promise<RegionFacts> {
    const cached = this.facts.get(region);
    if (cached) {
      void cached.then((f) => { if (Date.now() - f.at > this.offersTtlMs() && this.facts.get(region) === cached) this.facts.delete(region); }, () => undefined);
    }
    return this.memo(this.facts, region, () => readRegionFacts((what, fn) => this.call(region, what, fn), Date.now()));
  }

  async listOffers(req?: Requirements): Promise<Offer[]> {
    const regions = req?.regions && req.regions.length > 0
      ? this.options.regions.filter((r) => req.regions?.some((w) => w.toLowerCase() === r.toLowerCase()))
      : this.options.regions;
    const all: Offer[] = [];
    for (const [i, facts] of (await Promise.all(regions.map((r) => this.regionFacts(r)))).entries()) {
      const region = regions[i] as string;
      all.push(...regionOffers(region, facts, (type, spot) => this.quotas.exhausted(region, type, spot)));
    }
    return req ? selectOffers([all], req).offers : all;
  }

  async create(offer: Offer, tags: ResourceTags, sshPublicKey: string): Promise<ProviderInstance> {
    const region = offer.region;
    if (!this.options.regions.includes(region)) throw new BackendError('invalid', `AWS: region ${region} is not configured (configured: ${this.options.regions.join(', ')}).`);
    const userData = cloudInitUserData(sshPublicKey);
    await this.verifyAccess(region);
    const existing = (await this.findByInstanceId([tags.instanceId]))[0];
    if (existing) return existing;
    const spot = offer.resources.spot;
    const context = { instanceType: offer.instanceType, spot };
    const gpu = offer.resources.gpus.length > 0;
    const image = await this.memo(this.images, `${region}/${gpu ? 'gpu' : 'cpu'}`, () => this.call(region, 'finding the image', (c) => findImage(c, gpu ? GPU_IMAGE : CPU_IMAGE, region)));
    const groupId = await this.memo(this.groups, region, () => this.call(region, 'preparing the security group', (c) => ensureSecurityGroup(c, tags.installation, this.options.sshCidr ?? '0.0.0.0/0')));
    const diskGB = Math.max(offer.resources.diskGB, AWS_DISK_RANGE_GB.min ?? 0);
    const out = await this.call(region, `launching ${offer.instanceType}`, (c) => this.remembering(region, offer.instanceType, spot, c.send(new RunInstancesCommand({
      ImageId: image.imageId,
      InstanceType: offer.instanceType as never,
      MinCount: 1,
      MaxCount: 1,
      ClientToken: clientToken(tags, region, offer.instanceType, spot),
      UserData: userData,
      // The agent powers the instance off when it stops itself with no orchestrator around: that ends the billing too.
      InstanceInitiatedShutdownBehavior: 'terminate',
      SecurityGroupIds: [groupId],
      ...(offer.zone ? { Placement: { AvailabilityZone: offer.zone } } : {}),
      BlockDeviceMappings: [{ DeviceName: image.rootDeviceName, Ebs: { VolumeSize: diskGB, VolumeType: 'gp3', DeleteOnTermination: true } }],
      TagSpecifications: [{ ResourceType: 'instance', Tags: ec2Tags(tags) }, { ResourceType: 'volume', Tags: ec2Tags(tags) }],
      ...(spot ? { InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' } } } : {}),
    }))), context);
    const instance = out.Instances?.[0];
    if (!instance) throw new BackendError('error', `AWS: RunInstances in ${region} returned no instance.`);
    this.regionOf.set(tags.instanceId, region);
    return this.toProvider(instance, region, tags);
  }

  /** `launch`, remembering a refusal by the family's quota so the offers it limits show `no_quota` for a while. */
  private async remembering<T>(region: string, instanceType: string, spot: boolean, launch: Promise<T>): Promise<T> {
    try {
      return await launch;
    } catch (e) {
      if (isInstanceQuotaCode(ec2ErrorCode(e))) this.quotas.record(region, instanceType, spot);
      throw e;
    }
  }

  private toProvider(instance: Instance, region: string, fallbackTags?: ResourceTags): ProviderInstance {
    const tags = resourceTagsOf(instance.Tags) ?? fallbackTags;
    if (!tags) throw new Error(`EC2 instance ${instance.InstanceId ?? '?'} carries no dstack-vsc tags`);
    const state = providerStateOf(instance.State?.Name);
    const view: ProviderInstance = { instanceId: tags.instanceId, state, tags };
    if (instance.InstanceId) view.providerId = instance.InstanceId;
    if (instance.StateReason?.Code === 'Server.SpotInstanceTermination') view.interrupted = true;
    if (state === 'running' && instance.PublicIpAddress) view.ssh = { host: instance.PublicIpAddress, port: 22, user: this.options.sshUser ?? AWS_SSH_USER };
    this.regionOf.set(tags.instanceId, region);
    return view;
  }

  /** Our live EC2 instances matching a tag filter in one region. */
  private async describe(region: string, filters: { Name: string; Values: string[] }[]): Promise<ProviderInstance[]> {
    const found: ProviderInstance[] = [];
    let next: string | undefined;
    do {
      const token: string | undefined = next;
      const page: DescribeInstancesCommandOutput = await this.call(region, 'describing instances', (c) => c.send(new DescribeInstancesCommand({ Filters: filters, ...(token ? { NextToken: token } : {}) })));
      for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) if (resourceTagsOf(i.Tags)) found.push(this.toProvider(i, region));
      next = page.NextToken || undefined;
    } while (next);
    return found;
  }

  /** The newest non-gone view of each id (ids not found are left out), asking the known region or all of them. */
  private async findByInstanceId(ids: string[], includeTerminated = false): Promise<ProviderInstance[]> {
    if (ids.length === 0) return [];
    const byRegion = new Map<string, string[]>();
    for (const id of ids) {
      const known = this.regionOf.get(id);
      for (const region of known ? [known] : this.options.regions) byRegion.set(region, [...(byRegion.get(region) ?? []), id]);
    }
    const states = includeTerminated ? [...LIVE_STATES, 'terminated'] : LIVE_STATES;
    const views = (await Promise.all([...byRegion].map(([region, wanted]) => this.describe(region, [
      { Name: `tag:${TAG_INSTANCE}`, Values: wanted }, { Name: 'instance-state-name', Values: states },
    ])))).flat();
    const best = new Map<string, ProviderInstance>();
    for (const v of views) {
      const prior = best.get(v.instanceId);
      if (!prior || (prior.state === 'gone' && v.state !== 'gone')) best.set(v.instanceId, v);
    }
    return ids.flatMap((id) => { const v = best.get(id); return v ? [v] : []; });
  }

  async refresh(instanceIds: string[]): Promise<ProviderInstance[]> {
    const found = new Map((await this.findByInstanceId(instanceIds, true)).map((v) => [v.instanceId, v]));
    return instanceIds.map((id) => found.get(id) ?? { instanceId: id, state: 'gone', tags: { installation: '', runName: '', instanceId: id } });
  }

  async listTagged(installation: string): Promise<ProviderInstance[]> {
    const perRegion = await Promise.all(this.options.regions.map((region) => this.describe(region, [
      { Name: `tag:${TAG_INSTALLATION}`, Values: [installation] }, { Name: 'instance-state-name', Values: LIVE_STATES },
    ])));
    return perRegion.flat();
  }

  async terminate(instanceId: string): Promise<void> {
    if ((await this.findByInstanceId([instanceId])).length === 0) return;
    const region = this.regionOf.get(instanceId);
    if (!region) return;
    // Every live EC2 instance carrying the id, in case a crash ever left two.
    const live = await this.describe(region, [{ Name: `tag:${TAG_INSTANCE}`, Values: [instanceId] }, { Name: 'instance-state-name', Values: TERMINABLE_STATES }]);
    const ids = live.flatMap((v) => (v.providerId ? [v.providerId] : []));
    if (ids.length === 0) return;
    const out = await this.call(region, `terminating ${ids.join(', ')}`, (c) => c.send(new TerminateInstancesCommand({ InstanceIds: ids })));
    const notStopping = (out.TerminatingInstances ?? []).filter((t) => !['shutting-down', 'terminated'].includes(t.CurrentState?.Name ?? ''));
    if (notStopping.length > 0) {
      throw new BackendError('error', `AWS: ${notStopping.map((t) => `${t.InstanceId ?? '?'} is ${t.CurrentState?.Name ?? 'unknown'}`).join(', ')} after TerminateInstances in ${region}; terminate it in the EC2 console.`);
    }
  }
}
