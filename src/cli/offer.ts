// `dstack-vsc offer`: the offers matching a configuration or resource flags, in dstack's order and layouts.
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { spotFromPolicy, type Requirements } from '../backends/backend';
import { catalogOffers } from '../backends/catalog';
import { localOffer } from '../backends/local/offers';
import type { Offer } from '../backends/offer';
import { closeBackends, createBackends } from '../orchestrator/backends-registry';
import { defaultStateDir } from '../orchestrator/store/store';
import {
  BACKEND_NAME_CHOICES, backendIdOf, configurationRequirements, displayBackend, explainNoMatch, groupGpus,
  offerRequirements, prettyOfferResources, selectOffers, unconstrainedResources, type GpuGroup, type GpuGroupBy,
} from '../orchestrator/offers';
import {
  GrammarError, parseCpuSpec, parseDiskSpec, parseGpuSpec, parseMemoryRange, prettyResources, validateText,
} from '../schema';
import type { BaseRunConfiguration, ResourcesSpec } from '../schema/model';
import { flag, option, options, parseArgs, type ParsedArgs } from './args';
import { UsageError, type CliCommand, type CliIo } from './command';
import { formatMaxPriceSetting, renderGpuTable, renderOffersOutput, renderPropsTable } from './format/offers';

/** The project name printed in the header (this extension has one implicit project, dstack's default name). */
export const OFFER_PROJECT = 'main';

const DEFAULT_MAX_OFFERS = 50;
const GROUP_BY_CHOICES: readonly string[] = ['gpu', 'backend', 'region', 'count'];

const FLAGS = [
  { name: 'file', short: 'f', kind: 'string' },
  { name: 'gpu', kind: 'string' },
  { name: 'cpu', kind: 'string' },
  { name: 'memory', kind: 'string' },
  { name: 'disk', kind: 'string' },
  { name: 'spot', kind: 'boolean' },
  { name: 'on-demand', kind: 'boolean' },
  { name: 'spot-auto', kind: 'boolean' },
  { name: 'spot-policy', kind: 'string' },
  { name: 'max-price', kind: 'string' },
  { name: 'backend', short: 'b', kind: 'multi' },
  { name: 'region', short: 'r', kind: 'multi' },
  { name: 'instance-type', kind: 'multi' },
  { name: 'group-by', kind: 'multi' },
  { name: 'max-offers', kind: 'string' },
  { name: 'json', kind: 'boolean' },
  { name: 'format', kind: 'string' },
] as const;

function grammar<T>(flagName: string, value: string, parse: (v: string) => T): T {
  try {
    return parse(value);
  } catch (err) {
    if (err instanceof GrammarError) throw new UsageError(`--${flagName} ${value}: ${err.message}`);
    throw err;
  }
}

/** The run configuration in `-f FILE`: null (after printing its diagnostics as `file:line:col: message`) when invalid. */
async function fileConfiguration(file: string, io: CliIo): Promise<BaseRunConfiguration | null> {
  let text: string;
  try {
    text = await readFile(path.resolve(io.cwd, file), 'utf8');
  } catch (err) {
    io.stderr(`${file}: cannot read the configuration: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`);
    return null;
  }
  const result = validateText(text, file);
  for (const d of result.diagnostics) io.stderr(`${file}:${d.line}:${d.column}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}\n`);
  const config = result.configuration;
  if (config === null || result.diagnostics.some((d) => d.severity === 'error')) return null;
  if (config.type !== 'dev-environment' && config.type !== 'task' && config.type !== 'service') {
    io.stderr(`${file}: \`offer -f\` needs a dev-environment, task or service configuration (this one is \`type: ${config.type}\`).\n`);
    return null;
  }
  return config as BaseRunConfiguration;
}

/** The resources to match: the file's (or the unconstrained dummy's), with `--gpu/--cpu/--memory/--disk` applied. */
function resourcesWithFlags(base: ResourcesSpec, args: ParsedArgs): ResourcesSpec {
  const resources = { ...base };
  const gpu = option(args, 'gpu');
  const cpu = option(args, 'cpu');
  const memory = option(args, 'memory');
  const disk = option(args, 'disk');
  if (gpu !== undefined) resources.gpu = grammar('gpu', gpu, parseGpuSpec);
  if (cpu !== undefined) resources.cpu = grammar('cpu', cpu, parseCpuSpec);
  if (memory !== undefined) resources.memory = grammar('memory', memory, parseMemoryRange);
  if (disk !== undefined) resources.disk = grammar('disk', disk, parseDiskSpec);
  return resources;
}

/** Applies the profile flags (`--spot/--on-demand/--spot-auto/--spot-policy`, `--max-price`, `-b`, `-r`, `--instance-type`). */
function applyProfileFlags(req: Requirements, args: ParsedArgs): Requirements {
  const policies = [flag(args, 'spot') && 'spot', flag(args, 'on-demand') && 'on-demand', flag(args, 'spot-auto') && 'auto', option(args, 'spot-policy')]
    .filter((p): p is string => typeof p === 'string');
  if (policies.length > 1) throw new UsageError('--spot, --on-demand, --spot-auto and --spot-policy are mutually exclusive');
  const policy = policies[0];
  if (policy !== undefined) {
    if (policy !== 'spot' && policy !== 'on-demand' && policy !== 'auto') throw new UsageError(`--spot-policy ${policy}: choose spot, on-demand or auto`);
    req.spot = spotFromPolicy(policy);
  }
  const maxPrice = option(args, 'max-price');
  if (maxPrice !== undefined) {
    const n = Number(maxPrice);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--max-price ${maxPrice}: expected a price in $/hour greater than 0, e.g. 2.5`);
    req.maxPrice = n;
  }
  const backends = options(args, 'backend');
  if (backends.length > 0) {
    req.backends = backends.map((name) => {
      const id = backendIdOf(name);
      if (id === null) throw new UsageError(`--backend ${name}: unknown backend; choose from ${BACKEND_NAME_CHOICES.join(', ')}`);
      return id;
    });
  }
  const regions = options(args, 'region');
  if (regions.length > 0) req.regions = regions;
  const types = options(args, 'instance-type');
  if (types.length > 0) req.instanceTypes = types;
  return req;
}

/** The requirements of one `offer` invocation; null when `-f` named an invalid file (diagnostics already printed). */
async function requirementsOf(args: ParsedArgs, io: CliIo): Promise<Requirements | null> {
  const file = option(args, 'file');
  const config = file !== undefined ? await fileConfiguration(file, io) : undefined;
  if (config === null) return null;
  const resources = resourcesWithFlags(config ? config.resources : unconstrainedResources(), args);
  let req: Requirements;
  try {
    req = config ? configurationRequirements({ ...config, resources }) : offerRequirements(resources);
  } catch (err) {
    if (!(err instanceof GrammarError)) throw err;
    io.stderr(`${file ?? 'offer'}: ${err.message}\n`);
    return null;
  }
  return applyProfileFlags(req, args);
}

function groupByOf(args: ParsedArgs): GpuGroupBy[] | null {
  const values = options(args, 'group-by').flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (values.length === 0) return null;
  for (const v of values) {
    if (!GROUP_BY_CHOICES.includes(v)) throw new UsageError(`Invalid group-by value: '${v}'. Valid choices are: ${[...GROUP_BY_CHOICES].sort().join(', ')}`);
  }
  if (!values.includes('gpu')) throw new UsageError(`Cannot group by '${values.join(', ')}' without also grouping by 'gpu'`);
  if (values.includes('region') && !values.includes('backend')) throw new UsageError("Cannot group by 'region' without also grouping by 'backend'");
  return values.filter((v): v is GpuGroupBy => v !== 'gpu');
}

function spotPolicyText(spot: boolean | null): string {
  return spot === null ? 'auto' : spot ? 'spot' : 'on-demand';
}

/**
 * Every offer the configured backends have, one list per backend in its own order: AWS from its live API when
 * configured (DSTACK_VSC_AWS_REGIONS; else the catalog's prices), this machine, SSH fleets, Kubernetes nodes (when configured).
 */
async function offerLists(env: NodeJS.ProcessEnv): Promise<Offer[][]> {
  const local = await localOffer().catch(() => null);
  const backends = createBackends(defaultStateDir(env), env);
  try {
    const aws = backends.get('aws');
    const awsOffers = aws ? await aws.listOffers() : catalogOffers('aws');
    const remote = await backends.get('remote')?.listOffers() ?? [];
    const kubernetes = await backends.get('kubernetes')?.listOffers() ?? [];
    return [awsOffers, local ? [local] : [], remote, kubernetes];
  } finally {
    await closeBackends(backends);
  }
}

/** dstack's offer JSON (`print_offers_json`): backend (`ssh` for SSH fleets), region, instance type, resources, spot, price, availability. */
export function offerJson(offer: Offer): Record<string, unknown> {
  const r = offer.resources;
  const mib = (gb: number) => Math.round(gb * 1024);
  return {
    backend: displayBackend(offer.backend),
    region: offer.region,
    ...(offer.zone !== undefined ? { zone: offer.zone } : {}),
    instance_type: offer.instanceType,
    resources: {
      cpu_arch: r.cpuArch,
      cpus: r.cpus,
      memory_mib: mib(r.memoryGB),
      gpus: r.gpus.map((g) => ({ name: g.name, memory_mib: mib(g.memoryGB), vendor: g.vendor })),
      spot: r.spot,
      disk: { size_mib: mib(r.diskGB) },
      description: prettyOfferResources(r),
    },
    spot: r.spot,
    price: offer.pricePerHour,
    availability: offer.availability,
  };
}

function gpuGroupJson(g: GpuGroup): Record<string, unknown> {
  return {
    name: g.name, memory_mib: Math.round(g.memoryGB * 1024), vendor: g.vendor, availability: g.availability, spot: g.spot,
    count: g.count, price: g.price,
    ...(g.backend ? { backend: displayBackend(g.backend) } : {}),
    ...(g.backends ? { backends: g.backends.map(displayBackend) } : {}),
    ...(g.region ? { region: g.region } : {}),
    ...(g.regions ? { regions: g.regions } : {}),
  };
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0] ?? ''}`);
  const maxOffersText = option(args, 'max-offers');
  const maxOffers = maxOffersText === undefined ? DEFAULT_MAX_OFFERS : Number(maxOffersText);
  if (!Number.isInteger(maxOffers) || maxOffers < 1) throw new UsageError(`--max-offers ${maxOffersText ?? ''}: expected a whole number of at least 1`);
  const groupBy = groupByOf(args);
  const req = await requirementsOf(args, io);
  if (req === null) return 1;

  const lists = await offerLists(io.env);
  const selection = selectOffers(lists, req, maxOffers);
  const everything = lists.flat();
  const format = option(args, 'format') ?? (flag(args, 'json') ? 'json' : 'plain');
  if (format !== 'plain' && format !== 'json') throw new UsageError(`--format ${format}: choose plain or json`);
  const json = format === 'json';
  const user = os.userInfo().username;
  const requirementsJson = { resources: req.resources, max_price: req.maxPrice, spot: req.spot, reservation: null };

  if (groupBy !== null) {
    const groups = groupGpus(selectOffers(lists, req).offers, groupBy);
    if (json) {
      io.stdout(JSON.stringify({
        project: OFFER_PROJECT, user, resources: req.resources, spot_policy: spotPolicyText(req.spot), max_price: req.maxPrice,
        reservation: null, group_by: ['gpu', ...groupBy], gpus: groups.map(gpuGroupJson),
      }, null, 2) + '\n');
      return 0;
    }
    io.stdout(renderPropsTable([
      ['Project', OFFER_PROJECT], ['Resources', prettyResources(req.resources)], ['Spot policy', spotPolicyText(req.spot)],
      ['Max price', formatMaxPriceSetting(req.maxPrice)], ['Group by', ['gpu', ...groupBy].join(', ')],
    ]));
    io.stdout(renderGpuTable(groups));
    return 0;
  }

  const explanation = selection.total === 0 ? explainNoMatch(everything, req) : null;
  if (json) {
    io.stdout(JSON.stringify({
      project: OFFER_PROJECT, user, requirements: requirementsJson, offers: selection.offers.map(offerJson), total_offers: selection.total,
      ...(selection.maxPrice !== null ? { max_price: selection.maxPrice } : {}),
      ...(explanation ? {
        no_offers: {
          blocking: explanation.blocking, considered: explanation.considered, impacts: explanation.impacts,
          nearest_misses: explanation.nearestMisses.map(offerJson), also_failed: explanation.alsoFailed, text: explanation.text,
        },
      } : {}),
    }, null, 2) + '\n');
    return 0;
  }
  io.stdout(renderOffersOutput([
    ['Project', OFFER_PROJECT], ['Resources', prettyResources(req.resources)], ['Spot policy', spotPolicyText(req.spot)],
    ['Max price', formatMaxPriceSetting(req.maxPrice)],
  ], selection.offers, selection.total, selection.maxPrice));
  if (explanation) io.stdout(`\n${explanation.text}\n`);
  return 0;
}

/** `offer [-f FILE] [--gpu SPEC] ... [--json]`. */
export const offerCommand: CliCommand = {
  name: 'offer',
  summary: 'List the offers matching a configuration or resource flags, cheapest first (dstack offer)',
  usage: 'offer [-f FILE] [--gpu SPEC] [--cpu SPEC] [--memory SPEC] [--disk SPEC] [--spot | --on-demand | --spot-auto | --spot-policy P] ' +
    '[--max-price N] [-b|--backend NAME]... [-r|--region NAME]... [--instance-type NAME]... [--group-by gpu[,backend,region,count]] [--max-offers N] [--json | --format plain|json]',
  run,
};
