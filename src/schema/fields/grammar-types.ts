// Field-table value types for dstack's own grammars: durations, memory, ranges, resources, env, ports, files,
// repos, volumes, python, retry, schedule, fleets, instances and tags.
import { parseDuration, parseIdleDuration, parseInactivityDuration, parseOffDuration } from '../grammar/duration';
import { EnvItemError, parseEnv } from '../grammar/env';
import { GrammarError } from '../grammar/grammar-error';
import { parseIntRange, parseMemory, parseMemoryRange } from '../grammar/memory';
import { parseFilePathMapping, parseVolumeMount } from '../grammar/mounts';
import { parsePortMapping } from '../grammar/ports';
import { parseRepoSpec } from '../grammar/repos';
import { checkCron } from '../grammar/cron';
import { GPU_VENDOR_ALIASES, defaultResources, parseCpuSpec, parseDiskSpec, parseGpuSpec } from '../grammar/resources';
import { PYTHON_VERSIONS, checkTag, parseEntityReference, parsePythonVersion } from '../grammar/scalars';
import type { ResourcesSpec } from '../model';
import { CheckContext, INVALID, type JsonSchema, type ValueType, bool, enumOf, field, grammar, int, list, map, nullable, obj, str, union } from './types';

const DURATION_SCHEMA: JsonSchema = { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^\\s*([+-]?\\d+|\\d+ *[smhdw])\\s*$' }] };
const OFF_DURATION_SCHEMA: JsonSchema = { anyOf: [{ type: 'string', const: 'off' }, { type: 'boolean' }, { type: 'integer' }, { type: 'string', pattern: '^\\s*([+-]?\\d+|\\d+ *[smhdw])\\s*$' }] };
const DURATION_EXPECT = 'a duration like `90s`, `30m`, `2h`, `1d`, `1w` or seconds';

/** Strict duration in seconds (`retry.duration`, `utilization_policy.time_window`, probe timeouts). */
export const duration = grammar('duration', DURATION_EXPECT, ['integer', 'string'], DURATION_SCHEMA, (v) => parseDuration(v));
/** `max_duration` / `stop_duration`: seconds or `"off"`. */
export const offDuration = grammar('duration', `${DURATION_EXPECT}, or \`off\``, ['integer', 'string', 'boolean'], OFF_DURATION_SCHEMA, (v) => parseOffDuration(v));
/** `idle_duration`: seconds, or -1 for never. */
export const idleDuration = grammar('duration', `${DURATION_EXPECT}, or \`off\``, ['integer', 'string', 'boolean'], OFF_DURATION_SCHEMA, (v) => parseIdleDuration(v));
/** Dev-environment `inactivity_duration`: seconds, or null for off. */
export const inactivityDuration = grammar('duration', `${DURATION_EXPECT}, or \`off\``, ['integer', 'string', 'boolean'], OFF_DURATION_SCHEMA, (v) => parseInactivityDuration(v));

const MEMORY_SCHEMA: JsonSchema = { anyOf: [{ type: 'number' }, { type: 'string' }] };
const RANGE_SCHEMA: JsonSchema = { anyOf: [{ type: 'integer' }, { type: 'string' }, { type: 'object', properties: { min: {}, max: {} }, additionalProperties: false }] };
const MEM_RANGE_SCHEMA: JsonSchema = { anyOf: [{ type: 'number' }, { type: 'string' }, { type: 'object', properties: { min: {}, max: {} }, additionalProperties: false }] };

/** A memory size in GB (`16GB`, `512MB`, `1TB`). */
export const memory = grammar('memory', 'a memory size like `16GB`, `512MB` or `1TB`', ['number', 'string'], MEMORY_SCHEMA, (v) => parseMemory(v));
/** A memory range in GB (`24GB..`, `..80GB`, `16GB..32GB`). */
export const memoryRange = grammar('memory range', 'a memory size or range like `16GB`, `24GB..`, `..80GB` or `16GB..32GB`', ['number', 'string', 'object'], MEM_RANGE_SCHEMA, (v) => parseMemoryRange(v));
/** An integer range (`1..2`, `2..`, `..4`, `4`). */
export const intRange = grammar('range', 'a number or range like `2`, `1..4`, `2..` or `..4`', ['integer', 'string', 'object'], RANGE_SCHEMA, (v) => parseIntRange(v));

const SPEC_SCHEMA: JsonSchema = { anyOf: [{ type: 'integer' }, { type: 'string' }, { type: 'object' }] };

/** `resources` with dstack's defaults for omitted parts. */
export const resources: ValueType = obj(
  'ResourcesSpec',
  () => ({
    cpu: field(grammar('cpu', 'a CPU count or range, optionally with an arch: `4`, `2..`, `x86:16`, `arm:8..`', ['integer', 'string', 'object'], SPEC_SCHEMA, (v) => parseCpuSpec(v)), 'The CPU requirements: a count or range, optionally with the architecture (`x86`, `arm`)', { default: '2..', example: '4..' }),
    memory: field(memoryRange, 'The RAM size (e.g., `8GB`, `16GB..`)', { default: '8GB..', example: '16GB..' }),
    shm_size: field(nullable(memory), 'The size of shared memory (e.g., `8GB`). Needed by parallel communicating processes such as PyTorch dataloaders', { example: '8GB' }),
    gpu: field(
      nullable(grammar('gpu', 'a GPU spec like `A100`, `24GB..`, `A100:80GB:2`, `nvidia:1..8`, `H100,A100` or a mapping', ['integer', 'string', 'object'], SPEC_SCHEMA, (v) => parseGpuSpec(v), { enumValues: Object.keys(GPU_VENDOR_ALIASES) })),
      'The GPU requirements: name(s), per-GPU memory, count, vendor, in any order separated by `:` (e.g., `A100:80GB:2`, `24GB..:1..`)',
      { default: '0..', example: '24GB' },
    ),
    disk: field(nullable(grammar('disk', 'a disk size or range like `100GB`, `100GB..`, `..1TB`', ['number', 'string', 'object'], SPEC_SCHEMA, (v) => parseDiskSpec(v))), 'The disk size (e.g., `100GB..`)', { default: '100GB..', example: '200GB..' }),
  }),
  {
    label: 'resources',
    expect: 'a mapping with `cpu`, `memory`, `shm_size`, `gpu`, `disk`',
    normalize: (o): ResourcesSpec => {
      const r = defaultResources();
      if (o['cpu'] != null) r.cpu = o['cpu'] as ResourcesSpec['cpu'];
      if (o['memory'] != null) r.memory = o['memory'] as ResourcesSpec['memory'];
      if (o['shm_size'] != null) r.shm_size = o['shm_size'] as number;
      if (o['gpu'] != null) r.gpu = o['gpu'] as ResourcesSpec['gpu'];
      if ('disk' in o) r.disk = o['disk'] as ResourcesSpec['disk'];
      return r;
    },
  },
);

/** `env`: a list of `NAME` / `NAME=value` or a mapping; normalized to a mapping. */
export const env = grammar(
  'env',
  'a list of `NAME=value` / `NAME` entries or a mapping `NAME: value`',
  ['array', 'object', 'null'],
  { anyOf: [{ type: 'array', items: { type: 'string', pattern: '^([a-zA-Z_][a-zA-Z0-9_]*)(=.*$|$)' } }, { type: 'object', additionalProperties: { type: ['string', 'number'] } }, { type: 'null' }] },
  (v, path, ctx) => {
    try {
      return parseEnv(v);
    } catch (e) {
      if (e instanceof EnvItemError) return ctx.error([...path, e.index], 'invalid-value', e.message);
      throw e;
    }
  },
);

const PORT_SCHEMA: JsonSchema = {
  anyOf: [
    { type: 'integer', exclusiveMinimum: 0, maximum: 65535 },
    { type: 'string', pattern: '^\\s*(?:(?:[0-9]+|\\*):)?[0-9]+\\s*$' },
    { type: 'object', properties: { local_port: { type: ['integer', 'null'] }, container_port: { type: 'integer' } }, required: ['container_port'], additionalProperties: false },
  ],
};
/** One port: `8080`, `"80:8080"`, `"*:8080"` or `{local_port, container_port}`. */
export const port = grammar('port', 'a port `8080`, `LOCAL:CONTAINER` (`80:8080`), `*:8080` or `{local_port, container_port}`', ['integer', 'string', 'object'], PORT_SCHEMA, (v) => parsePortMapping(v));

/** One `files` entry. */
export const fileMapping = grammar('file mapping', '`local_path[:container_path]` (e.g. `.:examples`, `~/.ssh/id_rsa`) or `{local_path, path}`', ['string', 'object'], { anyOf: [{ type: 'string' }, { type: 'object', properties: { local_path: { type: 'string' }, path: { type: 'string' } }, required: ['local_path', 'path'], additionalProperties: false }] }, (v) => parseFilePathMapping(v));

/** One `repos` entry. */
export const repo = grammar('repo', '`local_path_or_url[:path]` or `{local_path | url, branch, hash, path, if_exists}`', ['string', 'object'], { anyOf: [{ type: 'string' }, { type: 'object', properties: { local_path: { type: ['string', 'null'] }, url: { type: ['string', 'null'] }, branch: { type: ['string', 'null'] }, hash: { type: ['string', 'null'] }, path: { type: 'string' }, if_exists: { enum: ['error', 'skip'] } }, additionalProperties: false }] }, (v) => parseRepoSpec(v));

/** One `volumes` entry. */
export const volumeMount = grammar('volume', '`name:/path`, `/instance/path:/path`, `{name, path}` or `{instance_path, path, optional}`', ['string', 'object'], { anyOf: [{ type: 'string' }, { type: 'object', properties: { name: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }, path: { type: 'string' } }, required: ['name', 'path'], additionalProperties: false }, { type: 'object', properties: { instance_path: { type: 'string' }, path: { type: 'string' }, optional: { type: 'boolean' } }, required: ['instance_path', 'path'], additionalProperties: false }] }, (v) => parseVolumeMount(v));

/** `python`: `"3.9"` … `"3.14"`, YAML floats accepted (`3.10` → `"3.10"`). */
export const python = grammar('python version', `one of ${PYTHON_VERSIONS.map((p) => `\`${p}\``).join(', ')}`, ['string', 'number'], { anyOf: [{ type: 'string', enum: [...PYTHON_VERSIONS] }, { type: 'number' }] }, (v) => parsePythonVersion(v), { enumValues: PYTHON_VERSIONS });

const RETRY_EVENTS = ['no-capacity', 'interruption', 'error'] as const;
/** `retry`: a boolean or `{on_events, duration}`. */
export const retry: ValueType = union('retry', '`true`, `false` or `{on_events: [no-capacity, interruption, error], duration: 1h}`', [
  bool,
  obj('ProfileRetry', () => ({
    on_events: field(nullable(list(enumOf(RETRY_EVENTS, 'retry event'), { minItems: 1, tooFew: '`on_events` cannot be empty: list at least one of `no-capacity`, `interruption`, `error`, or remove `on_events` to retry on all.' })), 'The events to retry on: `no-capacity`, `interruption`, `error`. Defaults to all three', { example: ['no-capacity'] }),
    duration: field(nullable(duration), 'How long to keep retrying (e.g., `1h`). Defaults to `1h`', { example: '1h' }),
  })),
]);

/** `utilization_policy`. */
export const utilizationPolicy = obj(
  'UtilizationPolicy',
  () => ({
    min_gpu_utilization: field(int({ minimum: 0, maximum: 100 }), 'Minimum required GPU utilization, percent. If any GPU stays below it for the whole `time_window`, the run is terminated', { required: true, example: 10 }),
    time_window: field(duration, 'The time window of metric samples (at least `5m`)', { required: true, example: '1h' }),
  }),
  {
    normalize: (o, path, ctx) => {
      if (typeof o['time_window'] === 'number' && o['time_window'] < 300) return ctx.error([...path, 'time_window'], 'out-of-range', '`time_window` must be at least 5 minutes (`5m`).');
      return o;
    },
  },
);

/** `schedule`: `{cron: "..." | ["..."]}`, normalized to a list. */
export const schedule = obj('Schedule', () => ({
  cron: field(
    grammar('cron', 'a 5-field crontab line like `0 8 * * mon-fri`, or a list of them', ['string', 'array'], { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] }, (v, path, ctx) => {
      const lines = Array.isArray(v) ? v : [v];
      if (lines.length === 0) return ctx.error(path, 'invalid-value', '`cron` needs at least one expression.');
      let ok = true;
      lines.forEach((line, i) => {
        try {
          if (typeof line !== 'string') throw new GrammarError('a cron expression must be a string');
          checkCron(line);
        } catch (e) {
          if (!(e instanceof GrammarError)) throw e;
          ctx.error(Array.isArray(v) ? [...path, i] : path, 'invalid-value', `Invalid \`cron\`: ${e.message}.`);
          ok = false;
        }
      });
      return ok ? lines : INVALID;
    }),
    'A crontab expression or a list of them (UTC)',
    { required: true, example: '0 8 * * mon-fri' },
  ),
}));

/** A fleet reference `name` / `project/name` / `{project, name}`. */
export const entityRef = grammar('fleet reference', '`name` or `project/name`', ['string', 'object'], { anyOf: [{ type: 'string' }, { type: 'object', properties: { project: { type: ['string', 'null'] }, name: { type: 'string' } }, required: ['name'], additionalProperties: false }] }, (v) => parseEntityReference(v));

/** One `instances` entry, normalized to `{name}`, `{hostname}` or `{fleet, instance}`. */
export const instanceSelector: ValueType = union('instance', 'an instance name, `{name}`, `{hostname}` or `{fleet, instance}`', [
  grammar('instance name', 'an instance name', ['string'], { type: 'string' }, (v) => ({ name: v })),
  obj('InstanceNameSelector', () => ({ name: field(str(), 'The instance name', { required: true }) })),
  obj('InstanceHostnameSelector', () => ({ hostname: field(str(), 'The instance hostname or IP', { required: true }) })),
  obj('FleetInstanceSelector', () => ({
    fleet: field(entityRef, 'The fleet', { required: true }),
    instance: field(int({ minimum: 0 }), 'The instance number in the fleet', { required: true }),
  })),
]);

/** `tags`: a mapping of tag keys to values. */
export const tags = map(str(), { checkEntry: checkTag });

/** Run a fresh check of `type` on `value` and say whether it passes (for tests and the editor). */
export function passes(type: ValueType, value: unknown): boolean {
  const ctx = new CheckContext();
  return type.check(value, [], ctx) !== INVALID && !ctx.issues.some((i) => i.severity === 'error');
}

/** An SSH fleet host given as a bare hostname, normalized to `{hostname}`. */
export const sshHostname = grammar('hostname', 'a hostname or IP address', ['string'], { type: 'string', minLength: 1 }, (v) => {
  if (typeof v !== 'string' || v.trim() === '') throw new GrammarError('a host needs a hostname or IP address');
  return { hostname: v };
});

/** Fleet `nodes`: `N` (min = target = max = N), `min..max` (target = min) or `{min, target, max}`. */
export const fleetNodes: ValueType = grammar('nodes', 'a number of nodes (`2`), a range (`0..2`) or `{min, target, max}`', ['integer', 'string', 'object'], { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string' }, { type: 'object', properties: { min: { type: 'integer' }, target: { type: 'integer' }, max: { type: ['integer', 'null'] } }, additionalProperties: false }] }, (v) => {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && 'target' in v) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!['min', 'target', 'max'].includes(k)) throw new GrammarError(`Unknown nodes field \`${k}\`; allowed: \`min\`, \`target\`, \`max\``);
    const int = (x: unknown, what: string): number => {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) throw new GrammarError(`\`${what}\` must be a whole number >= 0`);
      return x;
    };
    const min = o['min'] == null ? 0 : int(o['min'], 'min');
    const target = int(o['target'], 'target');
    const max = o['max'] == null ? null : int(o['max'], 'max');
    if (target < min || (max !== null && target > max)) throw new GrammarError('`target` must lie between `min` and `max`');
    return { min, target, max };
  }
  const r = parseIntRange(v);
  const min = r.min ?? 0;
  if (min < 0) throw new GrammarError('the number of nodes cannot be negative');
  return { min, target: min, max: r.max };
});
