// The project's own EC2 fake: a node:http server on 127.0.0.1 speaking EC2's Query protocol (form-encoded
// `Action=...&Version=2016-11-15`, XML answers in EC2's shapes, EC2's error documents and statuses). It keeps
// instances per region (the region comes from the SigV4 credential scope), moves them pending → running →
// shutting-down → terminated on its own clock, honours ClientToken idempotency, records every request, and
// injects scripted faults (capacity, throttling, quotas, spot interruptions).

import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FAKE_INSTANCE_TYPES, fakeTypeIn } from './instance-types';
import { errorXml, responseXml, type XmlValue } from './xml';
import { filtersOf, indexesOf, listOf, parseQuery, wildcardMatch, type QueryParams } from './query';

/** One request as the fake received it. */
export interface RecordedRequest {
  action: string;
  region: string;
  accessKeyId: string;
  params: QueryParams;
}

/** A scripted failure: the next `times` matching requests get this error instead of an answer. */
export interface Fault {
  action: string;
  code: string;
  message?: string;
  /** HTTP status (EC2 uses 400 for client errors, 500/503 for capacity and throttling). */
  status?: number;
  /** How many requests fail (default 1; Infinity = until cleared). */
  times?: number;
  region?: string;
  match?: (params: QueryParams) => boolean;
}

/** EC2's instance states and their codes. */
export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';
const STATE_CODES: Record<InstanceStateName, number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 };

/** One tag specification of RunInstances. */
export interface TagSet { resourceType: string; tags: Record<string, string> }

/** One instance the fake keeps. */
export interface FakeInstance {
  instanceId: string;
  region: string;
  zone: string;
  instanceType: string;
  imageId: string;
  state: InstanceStateName;
  stateSince: number;
  launchTime: number;
  tags: Record<string, string>;
  volumeTags: Record<string, string>;
  spot: boolean;
  userData: string;
  /** InstanceInitiatedShutdownBehavior (`stop` when RunInstances did not say). */
  shutdownBehavior: string;
  securityGroupIds: string[];
  blockDevices: { deviceName: string; volumeSize: number; volumeType: string; deleteOnTermination: boolean }[];
  publicIp: string;
  stateReason?: { code: string; message: string };
}

/** One AMI the fake offers. */
export interface FakeImage { imageId: string; name: string; ownerId: string; ownerAlias?: string; creationDate: string; architecture: string; rootDeviceName: string }

/** A security group the fake keeps. */
export interface FakeSecurityGroup {
  groupId: string; groupName: string; description: string; region: string;
  ingress: { protocol: string; fromPort: number; toPort: number; cidr: string }[];
  tags: Record<string, string>;
}

/** How the fake is set up. */
export interface FakeEc2Options {
  /** Access key ids it accepts (others get AuthFailure); default: any. */
  accessKeys?: string[];
  /** Milliseconds an instance stays pending / shutting-down on the fake's clock (default 60 s each; see `advance`). */
  pendingMs?: number;
  shuttingDownMs?: number;
  /** Spot prices by `region/instanceType` (default: 30% of the type's on-demand list price, every type). */
  spotPrices?: ReadonlyMap<string, number>;
  images?: FakeImage[];
  /** EC2's eventual consistency: a new instance stays invisible to DescribeInstances filters this long (default 0). */
  describeLagMs?: number;
  /** `region/instanceType` (every zone) or `zone/instanceType` pairs DescribeInstanceTypeOfferings leaves out (listed, but not offered there now). */
  notOffered?: ReadonlySet<string>;
  /** The public IP a new instance gets (default: a random 127.0.x.y). */
  publicIp?: (inst: { region: string; instanceType: string }) => string;
  /** Called once when an instance reaches running: emulates cloud-init (e.g. installs the user data's key on a test host). */
  onRunning?: (inst: FakeInstance) => void;
}

/** Canonical's and Amazon's owner ids as EC2 reports them. */
export const CANONICAL_OWNER = '099720109477';
export const AMAZON_OWNER = '898082745236';

const DEFAULT_IMAGES: FakeImage[] = [
  { imageId: 'ami-0dl0000000000old', name: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101', ownerId: AMAZON_OWNER, ownerAlias: 'amazon', creationDate: '2025-01-01T00:00:00.000Z', architecture: 'x86_64', rootDeviceName: '/dev/sda1' },
  { imageId: 'ami-0dl0000000000new', name: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250801', ownerId: AMAZON_OWNER, ownerAlias: 'amazon', creationDate: '2025-08-01T00:00:00.000Z', architecture: 'x86_64', rootDeviceName: '/dev/sda1' },
  { imageId: 'ami-0ubuntu00000noble', name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250805', ownerId: CANONICAL_OWNER, creationDate: '2025-08-05T00:00:00.000Z', architecture: 'x86_64', rootDeviceName: '/dev/sda1' },
  { imageId: 'ami-0ubuntu0000jammy', name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20250801', ownerId: CANONICAL_OWNER, creationDate: '2025-08-01T00:00:00.000Z', architecture: 'x86_64', rootDeviceName: '/dev/sda1' },
];

class Ec2Error extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) { super(message); }
}

function hex(n: number): string { return randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n); }
function iso(ms: number): string { return new Date(ms).toISOString(); }

/** The fake EC2 endpoint. */
export class FakeEc2 {
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  readonly instances = new Map<string, FakeInstance>();
  readonly securityGroups = new Map<string, FakeSecurityGroup>();
  private readonly faults: Fault[] = [];
  private readonly tokens = new Map<string, { reservationId: string; instanceIds: string[]; fingerprint: string }>();
  private offsetMs = 0;
  private server: http.Server | undefined;
  private readonly images: FakeImage[];

  private constructor(private readonly options: FakeEc2Options) {
    this.images = options.images ?? DEFAULT_IMAGES;
  }

  /** Starts a fake on a free port of 127.0.0.1. */
  static async start(options: FakeEc2Options = {}): Promise<FakeEc2> {
    const fake = new FakeEc2(options);
    const server = http.createServer((req, res) => { void fake.handle(req, res); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.server = server;
    return fake;
  }

  /** The endpoint URL (for AWS_ENDPOINT_URL_EC2). */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('fake EC2 is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Stops the server. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The fake's clock (real time plus whatever `advance` added). */
  now(): number { return Date.now() + this.offsetMs; }

  /** Moves the fake's clock forward, so pending instances start and terminating ones finish. */
  advance(ms: number): void { this.offsetMs += ms; }

  /** Scripts a failure. */
  fail(fault: Fault): void { this.faults.push({ times: 1, ...fault }); }

  /** Requests of one action. */
  calls(action: string): RecordedRequest[] { return this.requests.filter((r) => r.action === action); }

  /** Instances not terminated (what would be billed). */
  live(): FakeInstance[] { return [...this.instances.values()].filter((i) => (this.settle(i), i.state !== 'terminated')); }

  /** AWS reclaims a spot instance: it shuts down with `Server.SpotInstanceTermination`. */
  interruptSpot(instanceId: string): void {
    const inst = this.instances.get(instanceId);
    if (!inst || !inst.spot) throw new Error(`${instanceId} is not a spot instance of the fake`);
    this.setState(inst, 'shutting-down', { code: 'Server.SpotInstanceTermination', message: 'Server.SpotInstanceTermination: Spot instance termination' });
  }

  private setState(inst: FakeInstance, state: InstanceStateName, reason?: { code: string; message: string }): void {
    inst.state = state;
    inst.stateSince = this.now();
    if (reason) inst.stateReason = reason;
  }

  /** Applies the transitions due on the fake's clock. */
  private settle(inst: FakeInstance): void {
    const elapsed = this.now() - inst.stateSince;
    if (inst.state === 'pending' && elapsed >= (this.options.pendingMs ?? 60_000)) {
      inst.state = 'running';
      inst.stateSince += this.options.pendingMs ?? 60_000;
      this.options.onRunning?.(inst);
    }
    if (inst.state === 'shutting-down' && this.now() - inst.stateSince >= (this.options.shuttingDownMs ?? 60_000)) {
      inst.state = 'terminated';
      inst.stateSince += this.options.shuttingDownMs ?? 60_000;
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = parseQuery(Buffer.concat(chunks).toString('utf8'));
    const auth = req.headers.authorization ?? '';
    const scope = /Credential=([^/]+)\/\d+\/([^/]+)\/ec2\//.exec(auth);
    const action = params.get('Action') ?? '';
    const region = scope?.[2] ?? 'us-east-1';
    const accessKeyId = scope?.[1] ?? '';
    this.requests.push({ action, region, accessKeyId, params });
    const requestId = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
    const send = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId });
      res.end(body);
    };
    try {
      if (!scope) throw new Ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
      if (this.options.accessKeys && !this.options.accessKeys.includes(accessKeyId)) {
        throw new Ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
      }
      if (params.get('Version') !== '2016-11-15') throw new Ec2Error('InvalidParameterValue', `Unsupported Version ${params.get('Version') ?? ''}`);
      const fault = this.faults.find((f) => f.action === action && (f.times ?? 1) > 0 && (!f.region || f.region === region) && (!f.match || f.match(params)));
      if (fault) {
        fault.times = (fault.times ?? 1) - 1;
        throw new Ec2Error(fault.code, fault.message ?? `${fault.code} (scripted by the test)`, fault.status ?? 400);
      }
      const handler = this.handlers[action];
      if (!handler) throw new Ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
      send(200, responseXml(action, requestId, handler(params, region)));
    } catch (e) {
      if (e instanceof Ec2Error) send(e.status, errorXml(e.code, e.message, requestId));
      else send(500, errorXml('InternalError', e instanceof Error ? e.message : String(e), requestId));
    }
  }

  private readonly handlers: Record<string, (p: QueryParams, region: string) => Record<string, XmlValue>> = {
    DescribeAvailabilityZones: (_p, region) => ({
      availabilityZoneInfo: this.zonesOf(region).map((zoneName, i) => ({ zoneName, zoneState: 'available', regionName: region, zoneId: `use1-az${i + 1}`, zoneType: 'availability-zone' })),
    }),
    DescribeRegions: () => ({ regionInfo: ['us-east-1', 'us-west-2', 'eu-west-1'].map((r) => ({ regionName: r, regionEndpoint: `ec2.${r}.amazonaws.com`, optInStatus: 'opt-in-not-required' })) }),
    DescribeInstanceTypes: (p, region) => {
      const wanted = listOf(p, 'InstanceType');
      const types = FAKE_INSTANCE_TYPES.filter((t) => t.listUsd[region] !== undefined && (wanted.length === 0 || wanted.includes(t.instanceType)));
      // Paged like EC2 (MaxResults 5..100, an opaque NextToken) unless specific types were asked for.
      const max = wanted.length > 0 ? types.length : Math.min(100, Math.max(5, Number(p.get('MaxResults') ?? '100') || 100));
      const start = Number(p.get('NextToken') ?? '0') || 0;
      const page = types.slice(start, start + max);
      return {
        instanceTypeSet: page.map((t) => ({
          instanceType: t.instanceType,
          currentGeneration: true,
          supportedUsageClasses: ['on-demand', 'spot'],
          supportedRootDeviceTypes: ['ebs'],
          processorInfo: { supportedArchitectures: t.architectures, sustainedClockSpeedInGhz: 3.1 },
          vCpuInfo: { defaultVCpus: t.vcpus, defaultCores: Math.max(1, t.vcpus / 2), defaultThreadsPerCore: t.vcpus > 1 ? 2 : 1 },
          memoryInfo: { sizeInMiB: t.memoryMiB },
          gpuInfo: t.gpu ? { gpus: [{ name: t.gpu.name, manufacturer: t.gpu.manufacturer, count: t.gpu.count, memoryInfo: { sizeInMiB: t.gpu.memoryMiB } }], totalGpuMemoryInMiB: t.gpu.memoryMiB * t.gpu.count } : undefined,
        })),
        nextToken: start + max < types.length ? String(start + max) : undefined,
      };
    },
    DescribeInstanceTypeOfferings: (p, region) => {
      const locationType = p.get('LocationType') ?? 'region';
      if (locationType !== 'region' && locationType !== 'availability-zone') throw new Ec2Error('InvalidParameterValue', `The fake answers LocationType region or availability-zone, not ${locationType}`);
      const items: XmlValue[] = [];
      const typeFilter = filtersOf(p).get('instance-type');
      for (const t of FAKE_INSTANCE_TYPES) {
        if (t.listUsd[region] === undefined || this.options.notOffered?.has(`${region}/${t.instanceType}`)) continue;
        if (typeFilter && !typeFilter.some((v) => wildcardMatch(v, t.instanceType))) continue;
        const zones = this.zonesOf(region).filter((z) => !this.options.notOffered?.has(`${z}/${t.instanceType}`));
        if (locationType === 'region' && zones.length > 0) items.push({ instanceType: t.instanceType, locationType, location: region });
        if (locationType === 'availability-zone') for (const z of zones) items.push({ instanceType: t.instanceType, locationType, location: z });
      }
      return { instanceTypeOfferingSet: items, nextToken: '' };
    },
    DescribeSpotPriceHistory: (p, region) => {
      const wanted = listOf(p, 'InstanceType');
      const items: XmlValue[] = [];
      for (const t of FAKE_INSTANCE_TYPES) {
        const list = t.listUsd[region];
        if (list === undefined || (wanted.length > 0 && !wanted.includes(t.instanceType))) continue;
        const price = this.options.spotPrices ? this.options.spotPrices.get(`${region}/${t.instanceType}`) : Math.round(list * 0.3 * 10000) / 10000;
        if (price === undefined) continue;
        for (const zone of this.zonesOf(region)) {
          items.push({ availabilityZone: zone, instanceType: t.instanceType, productDescription: 'Linux/UNIX', spotPrice: price.toFixed(6), timestamp: iso(this.now()) });
        }
      }
      return { spotPriceHistorySet: items, nextToken: '' };
    },
    DescribeImages: (p) => {
      const owners = listOf(p, 'Owner');
      const filters = filtersOf(p);
      const images = this.images.filter((img) => {
        if (owners.length > 0 && !owners.some((o) => o === img.ownerId || o === img.ownerAlias)) return false;
        for (const [name, values] of filters) {
          const field = name === 'name' ? img.name : name === 'architecture' ? img.architecture : name === 'state' ? 'available' : name === 'owner-alias' ? img.ownerAlias ?? '' : undefined;
          if (field === undefined || !values.some((v) => wildcardMatch(v, field))) return false;
        }
        return true;
      });
      return {
        imagesSet: images.map((img) => ({
          imageId: img.imageId, name: img.name, imageOwnerId: img.ownerId, imageOwnerAlias: img.ownerAlias, creationDate: img.creationDate,
          architecture: img.architecture, imageState: 'available', rootDeviceType: 'ebs', rootDeviceName: img.rootDeviceName, isPublic: true,
        })),
      };
    },
    DescribeSecurityGroups: (p, region) => {
      const filters = filtersOf(p);
      const ids = listOf(p, 'GroupId');
      const groups = [...this.securityGroups.values()].filter((g) => g.region === region && (ids.length === 0 || ids.includes(g.groupId))
        && [...filters].every(([name, values]) => values.some((v) => wildcardMatch(v, name === 'group-name' ? g.groupName : name === 'group-id' ? g.groupId : name.startsWith('tag:') ? g.tags[name.slice(4)] ?? '\u0000' : '\u0000'))));
      if (ids.length > 0 && groups.length < ids.length) throw new Ec2Error('InvalidGroup.NotFound', `The security group '${ids.join(', ')}' does not exist`);
      return { securityGroupInfo: groups.map((g) => this.groupXml(g)) };
    },
    CreateSecurityGroup: (p, region) => {
      const name = p.get('GroupName') ?? '';
      if ([...this.securityGroups.values()].some((g) => g.region === region && g.groupName === name)) {
        throw new Ec2Error('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC 'vpc-default'`);
      }
      const tags: Record<string, string> = {};
      for (const spec of this.tagSpecs(p)) if (spec.resourceType === 'security-group') Object.assign(tags, spec.tags);
      const group: FakeSecurityGroup = { groupId: `sg-${hex(17)}`, groupName: name, description: p.get('GroupDescription') ?? '', region, ingress: [], tags };
      this.securityGroups.set(group.groupId, group);
      return { return: true, groupId: group.groupId };
    },
    AuthorizeSecurityGroupIngress: (p) => {
      const group = this.securityGroups.get(p.get('GroupId') ?? '');
      if (!group) throw new Ec2Error('InvalidGroup.NotFound', `The security group '${p.get('GroupId') ?? ''}' does not exist`);
      for (const perm of indexesOf(p, 'IpPermissions')) {
        for (const cidr of indexesOf(p, `${perm}.IpRanges`).map((r) => p.get(`${r}.CidrIp`) ?? '')) {
          const rule = { protocol: p.get(`${perm}.IpProtocol`) ?? '', fromPort: Number(p.get(`${perm}.FromPort`)), toPort: Number(p.get(`${perm}.ToPort`)), cidr };
          if (group.ingress.some((r) => JSON.stringify(r) === JSON.stringify(rule))) {
            throw new Ec2Error('InvalidPermission.Duplicate', `the specified rule "peer: ${cidr}, TCP, from port: ${rule.fromPort}, to port: ${rule.toPort}, ALLOW" already exists`);
          }
          group.ingress.push(rule);
        }
      }
      return { return: true };
    },
    RunInstances: (p, region) => this.runInstances(p, region),
    DescribeInstances: (p, region) => {
      const ids = listOf(p, 'InstanceId');
      const filters = filtersOf(p);
      for (const id of ids) {
        const inst = this.instances.get(id);
        if (!inst || inst.region !== region) throw new Ec2Error('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
      }
      const found = [...this.instances.values()].filter((i) => {
        this.settle(i);
        if (i.region !== region || (ids.length > 0 && !ids.includes(i.instanceId))) return false;
        if (this.now() - i.launchTime < (this.options.describeLagMs ?? 0)) return false;
        return [...filters].every(([name, values]) => {
          const field = name === 'instance-state-name' ? i.state : name === 'instance-id' ? i.instanceId : name.startsWith('tag:') ? i.tags[name.slice(4)] : name === 'tag-key' ? Object.keys(i.tags).find((k) => values.includes(k)) : undefined;
          return field !== undefined && values.some((v) => wildcardMatch(v, field));
        });
      });
      return { reservationSet: found.map((i) => ({ reservationId: `r-${i.instanceId.slice(2)}`, ownerId: '123456789012', groupSet: [], instancesSet: [this.instanceXml(i)] })) };
    },
    DescribeInstanceAttribute: (p, region) => {
      const id = p.get('InstanceId') ?? '';
      const inst = this.instances.get(id);
      if (!inst || inst.region !== region) throw new Ec2Error('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
      const attribute = p.get('Attribute') ?? '';
      const values: Record<string, XmlValue> = {
        userData: { value: Buffer.from(inst.userData, 'utf8').toString('base64') },
        instanceInitiatedShutdownBehavior: { value: inst.shutdownBehavior },
        instanceType: { value: inst.instanceType },
      };
      if (!(attribute in values)) throw new Ec2Error('InvalidParameterValue', `Value (${attribute}) for parameter attribute is invalid. The fake answers ${Object.keys(values).join(', ')}`);
      return { instanceId: id, [attribute]: values[attribute] };
    },
    DescribeVolumes: (p, region) => {
      const filters = filtersOf(p);
      const ids = listOf(p, 'VolumeId');
      const volumes = [...this.instances.values()].filter((i) => i.region === region).flatMap((i) => i.blockDevices.map((b) => ({ inst: i, b, volumeId: `vol-${i.instanceId.slice(2)}` })))
        .filter(({ inst, volumeId }) => (ids.length === 0 || ids.includes(volumeId)) && [...filters].every(([name, values]) => {
          const field = name === 'attachment.instance-id' ? inst.instanceId : name.startsWith('tag:') ? inst.volumeTags[name.slice(4)] : undefined;
          return field !== undefined && values.some((v) => wildcardMatch(v, field));
        }));
      return {
        volumeSet: volumes.map(({ inst, b, volumeId }) => ({
          volumeId, size: b.volumeSize, availabilityZone: inst.zone, status: inst.state === 'terminated' ? 'deleted' : 'in-use', volumeType: b.volumeType,
          attachmentSet: [{ volumeId, instanceId: inst.instanceId, device: b.deviceName, status: 'attached', deleteOnTermination: b.deleteOnTermination }],
          tagSet: Object.entries(inst.volumeTags).map(([key, value]) => ({ key, value })),
        })),
      };
    },
    TerminateInstances: (p, region) => {
      const ids = listOf(p, 'InstanceId');
      const items: XmlValue[] = [];
      for (const id of ids) {
        const inst = this.instances.get(id);
        if (!inst || inst.region !== region) throw new Ec2Error('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
        this.settle(inst);
        const previous = inst.state;
        if (previous !== 'terminated' && previous !== 'shutting-down') this.setState(inst, 'shutting-down', { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' });
        items.push({ instanceId: id, currentState: this.stateXml(inst.state), previousState: this.stateXml(previous) });
      }
      return { instancesSet: items };
    },
  };

  /** The region's availability zones. */
  private zonesOf(region: string): string[] {
    return ['a', 'b'].map((s) => `${region}${s}`);
  }

  private tagSpecs(p: QueryParams): TagSet[] {
    return indexesOf(p, 'TagSpecification').map((spec) => {
      const tags: Record<string, string> = {};
      for (const t of indexesOf(p, `${spec}.Tag`)) tags[p.get(`${t}.Key`) ?? ''] = p.get(`${t}.Value`) ?? '';
      return { resourceType: p.get(`${spec}.ResourceType`) ?? '', tags };
    });
  }

  private runInstances(p: QueryParams, region: string): Record<string, XmlValue> {
    const instanceType = p.get('InstanceType') ?? '';
    const imageId = p.get('ImageId') ?? '';
    if (!fakeTypeIn(region, instanceType)) {
      throw new Ec2Error('InvalidParameterValue', `Invalid value '${instanceType}' for InstanceType.`);
    }
    // EC2 places an instance without a Placement in a zone that offers its type; none offering it is `Unsupported`.
    const offeringZones = this.options.notOffered?.has(`${region}/${instanceType}`) ? [] : this.zonesOf(region).filter((z) => !this.options.notOffered?.has(`${z}/${instanceType}`));
    const zone = p.get('Placement.AvailabilityZone') ?? offeringZones[0];
    if (zone === undefined || !offeringZones.includes(zone)) {
      throw new Ec2Error('Unsupported', `Your requested instance type (${instanceType}) is not supported in your requested Availability Zone (${zone ?? region}).`);
    }
    if (!this.images.some((i) => i.imageId === imageId)) throw new Ec2Error('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
    const groups = listOf(p, 'SecurityGroupId');
    for (const g of groups) if (!this.securityGroups.has(g)) throw new Ec2Error('InvalidGroup.NotFound', `The security group '${g}' does not exist`);
    const token = p.get('ClientToken');
    const fingerprint = JSON.stringify([...p].filter(([k]) => k !== 'ClientToken').sort());
    if (token) {
      const prior = this.tokens.get(`${region}/${token}`);
      if (prior) {
        if (prior.fingerprint !== fingerprint) throw new Ec2Error('IdempotentParameterMismatch', `Client token ${token} was used with different parameters`);
        return this.reservationXml(prior.reservationId, prior.instanceIds);
      }
    }
    const spot = p.get('InstanceMarketOptions.MarketType') === 'spot';
    const tags: Record<string, string> = {};
    const volumeTags: Record<string, string> = {};
    for (const spec of this.tagSpecs(p)) Object.assign(spec.resourceType === 'instance' ? tags : spec.resourceType === 'volume' ? volumeTags : {}, spec.tags);
    const count = Number(p.get('MinCount') ?? '1');
    const ids: string[] = [];
    for (let n = 0; n < count; n++) {
      const inst: FakeInstance = {
        instanceId: `i-${hex(17)}`, region, zone, instanceType, imageId,
        state: 'pending', stateSince: this.now(), launchTime: this.now(), tags, volumeTags, spot,
        userData: Buffer.from(p.get('UserData') ?? '', 'base64').toString('utf8'), shutdownBehavior: p.get('InstanceInitiatedShutdownBehavior') ?? 'stop', securityGroupIds: groups,
        blockDevices: indexesOf(p, 'BlockDeviceMapping').map((b) => ({
          deviceName: p.get(`${b}.DeviceName`) ?? '', volumeSize: Number(p.get(`${b}.Ebs.VolumeSize`)),
          volumeType: p.get(`${b}.Ebs.VolumeType`) ?? 'gp2', deleteOnTermination: p.get(`${b}.Ebs.DeleteOnTermination`) !== 'false',
        })),
        publicIp: this.options.publicIp?.({ region, instanceType }) ?? `127.0.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`,
      };
      this.instances.set(inst.instanceId, inst);
      ids.push(inst.instanceId);
    }
    const reservationId = `r-${hex(17)}`;
    if (token) this.tokens.set(`${region}/${token}`, { reservationId, instanceIds: ids, fingerprint });
    return this.reservationXml(reservationId, ids);
  }

  private reservationXml(reservationId: string, ids: string[]): Record<string, XmlValue> {
    return { reservationId, ownerId: '123456789012', groupSet: [], instancesSet: ids.map((id) => this.instanceXml(this.instances.get(id) as FakeInstance)) };
  }

  private stateXml(state: InstanceStateName): Record<string, XmlValue> {
    return { code: STATE_CODES[state], name: state };
  }

  private groupXml(g: FakeSecurityGroup): Record<string, XmlValue> {
    return {
      ownerId: '123456789012', groupId: g.groupId, groupName: g.groupName, groupDescription: g.description, vpcId: 'vpc-default',
      ipPermissions: g.ingress.map((r) => ({ ipProtocol: r.protocol, fromPort: r.fromPort, toPort: r.toPort, ipRanges: [{ cidrIp: r.cidr }] })),
      ipPermissionsEgress: [],
      tagSet: Object.entries(g.tags).map(([key, value]) => ({ key, value })),
    };
  }

  private instanceXml(i: FakeInstance): Record<string, XmlValue> {
    this.settle(i);
    const running = i.state === 'running';
    return {
      instanceId: i.instanceId, imageId: i.imageId, instanceState: this.stateXml(i.state), instanceType: i.instanceType,
      launchTime: iso(i.launchTime), placement: { availabilityZone: i.zone, tenancy: 'default' },
      ipAddress: running ? i.publicIp : undefined, privateIpAddress: '172.31.0.10',
      instanceLifecycle: i.spot ? 'spot' : undefined,
      stateReason: i.stateReason, reason: i.stateReason ? i.stateReason.message : undefined,
      groupSet: i.securityGroupIds.map((groupId) => ({ groupId })),
      tagSet: Object.entries(i.tags).map(([key, value]) => ({ key, value })),
      blockDeviceMapping: i.blockDevices.map((b) => ({ deviceName: b.deviceName, ebs: { volumeId: `vol-${i.instanceId.slice(2)}`, status: 'attached', deleteOnTermination: b.deleteOnTermination } })),
      architecture: 'x86_64', rootDeviceType: 'ebs', rootDeviceName: '/dev/sda1',
    };
  }
}
