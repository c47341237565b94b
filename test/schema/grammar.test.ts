// Unit tests of every grammar: durations, memory, ranges, cpu, gpu, disk, env, ports, files, repos, volumes,
// retry, interpolation, cron and the server-side helpers.
import { strict as assert } from 'node:assert';
import {
  GrammarError,
  applyServerResourceDefaults,
  checkCron,
  formatDurationMultiunit,
  formatPrettyDuration,
  inferGpuVendor,
  interpolate,
  interpolationReferences,
  normalizeRetry,
  parseCpuSpec,
  parseDiskSpec,
  parseDuration,
  parseEnv,
  resolveEnv,
  parseFilePathMapping,
  parseGpuSpec,
  parseIdleDuration,
  parseInactivityDuration,
  parseIntRange,
  parseMemory,
  parseMemoryRange,
  parseOffDuration,
  parsePortMapping,
  parsePythonVersion,
  parseRepoSpec,
  parseResources,
  parseVolumeMount,
  prettyResources,
} from '../../src/schema';

const rejects = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof GrammarError && re.test(e.message));

describe('grammars', () => {
  it('durations: strict units, lowercase only, one unit, int strings', () => {
    assert.equal(parseDuration('2h'), 7200);
    assert.equal(parseDuration('1w'), 604800);
    assert.equal(parseDuration('3600'), 3600);
    assert.equal(parseDuration('-1'), -1);
    for (const bad of ['2H', '1h30m', '1.5h', '', 'off', true, null]) rejects(() => parseDuration(bad), /Cannot parse the duration/);
  });

  it('durations: offable, idle and inactivity flavours give `off` different meanings', () => {
    assert.equal(parseOffDuration('off'), 'off');
    assert.equal(parseOffDuration(true), null);
    rejects(() => parseOffDuration('-5'), /cannot be negative/);
    assert.equal(parseIdleDuration(false), -1);
    assert.equal(parseIdleDuration(-5), -5);
    assert.equal(parseInactivityDuration('off'), null);
    assert.equal(parseInactivityDuration(0), 0);
    rejects(() => parseInactivityDuration(-1), /cannot be negative/);
  });

  it('formats durations for the plan and for ps -v', () => {
    assert.equal(formatPrettyDuration(90), '90s');
    assert.equal(formatPrettyDuration(86400), '1d');
    assert.equal(formatDurationMultiunit(154), '2m 34s');
    assert.equal(formatDurationMultiunit(90061), '1d 1h 1m 1s');
  });

  it('memory: GB with 1024 steps, no GiB', () => {
    assert.equal(parseMemory('16 GB'), 16);
    assert.equal(parseMemory('256MB'), 0.25);
    assert.equal(parseMemory('2TB'), 2048);
    rejects(() => parseMemory('16GiB'), /could not convert/);
    rejects(() => parseMemory(true), /could not convert/);
  });

  it('ranges: open sides, scalars, objects, order and emptiness errors', () => {
    assert.deepEqual(parseMemoryRange(' 24GB .. 80GB '), { min: 24, max: 80 });
    assert.deepEqual(parseIntRange({ max: 3 }), { min: null, max: 3 });
    rejects(() => parseIntRange('..'), /Invalid empty range/);
    rejects(() => parseMemoryRange('80GB..24GB'), /Invalid range order: 80..24/);
    rejects(() => parseIntRange('1.5'), /valid integer/);
    rejects(() => parseIntRange('1..2..3'), /Invalid range/);
  });

  it('cpu: count and arch tokens in any order; conflicts and bad arch', () => {
    assert.deepEqual(parseCpuSpec('8..:ARM'), { arch: 'arm', count: { min: 8, max: null } });
    assert.deepEqual(parseCpuSpec({ arch: 'x86', count: '4..8' }), { arch: 'x86', count: { min: 4, max: 8 } });
    rejects(() => parseCpuSpec('x86:arm'), /arch conflict/);
    rejects(() => parseCpuSpec('amd64'), /Invalid CPU architecture/);
  });

  it('gpu: tokens in any order, vendors and aliases, names list, memory, total memory, compute capability', () => {
    assert.deepEqual(parseGpuSpec('2:80GB:A100'), parseGpuSpec('A100:80GB:2'));
    assert.equal(parseGpuSpec('TPU:v5litepod-8').vendor, 'google');
    assert.deepEqual(parseGpuSpec('tpu-v2-8').name, ['v2-8']);
    assert.equal(parseGpuSpec({ vendor: 'tt' }).vendor, 'tenstorrent');
    assert.deepEqual(parseGpuSpec({ compute_capability: [8, 6] }).compute_capability, [8, 6]);
    assert.deepEqual(parseGpuSpec({ total_memory: '..320GB' }).total_memory, { min: null, max: 320 });
    rejects(() => parseGpuSpec('A100:H100'), /name conflict/);
    rejects(() => parseGpuSpec('24GB:48GB'), /memory conflict/);
    rejects(() => parseGpuSpec({ vendor: 'nvidea' }), /Invalid GPU vendor/);
    rejects(() => parseGpuSpec({ cuda: 12 }), /Unknown gpu field/);
  });

  it('disk, shm_size and full resources with defaults and pretty format', () => {
    assert.equal(parseDiskSpec(null), null);
    assert.deepEqual(parseDiskSpec(200), { size: { min: 200, max: 200 } });
    const r = parseResources({ cpu: 'arm:4', gpu: 'H100:8', shm_size: '16GB', disk: null });
    assert.equal(r.shm_size, 16);
    assert.equal(r.disk, null);
    assert.equal(prettyResources(r), 'cpu=arm:4 mem=8GB.. gpu=H100:8');
    assert.equal(prettyResources(parseResources({ gpu: 'nvidia:24GB' })), 'cpu=2.. mem=8GB.. disk=100GB.. gpu=nvidia:24GB:1..');
    rejects(() => parseResources({ gpus: 1 }), /Unknown resources field/);
  });

  it('env: list or map, value-less names, numbers to strings, duplicates rejected', () => {
    assert.deepEqual(parseEnv(['HF_TOKEN', 'A=b=c']), { HF_TOKEN: { __unset__: 'HF_TOKEN' }, A: 'b=c' });
    assert.deepEqual(parseEnv({ PORT: 8080 }), { PORT: '8080' });
    rejects(() => parseEnv({ A: null }), /must be a string or a number/);
    rejects(() => parseEnv({ A: true }), /must be a string or a number/);
    rejects(() => parseEnv(['A=1', 'A=2']), /Duplicate environment variable: A/);
    rejects(() => parseEnv('A=1'), /list .* or a mapping/);
  });

  it('env resolution: -e overrides win, value-less names come from the process env or are reported', () => {
    const env = parseEnv(['HF_TOKEN', 'A=1', 'B', 'C']);
    assert.deepEqual(resolveEnv(env, { C: 'from-cli' }, { HF_TOKEN: 'tok', PATH: '/bin' }), { env: { HF_TOKEN: 'tok', A: '1', C: 'from-cli' }, missing: ['B'] });
  });

  it('ports: number, local:container, *:container, object, bounds', () => {
    assert.deepEqual(parsePortMapping('*:8080'), { local_port: null, container_port: 8080 });
    assert.deepEqual(parsePortMapping({ container_port: 22 }), { local_port: null, container_port: 22 });
    rejects(() => parsePortMapping('8080:'), /Invalid port mapping/);
    rejects(() => parsePortMapping(70000), /less than or equal to 65535/);
  });

  it('files: same path when no container path, Windows drives, Unix container paths', () => {
    assert.deepEqual(parseFilePathMapping('/opt/myorg/'), { local_path: '/opt/myorg/', path: '/opt/myorg/' });
    assert.deepEqual(parseFilePathMapping('D:/data:/data'), { local_path: 'D:/data', path: '/data' });
    rejects(() => parseFilePathMapping('a:b:c'), /invalid file path mapping/);
  });

  it('repos: local paths, URLs with paths, objects with local_path xor url', () => {
    assert.equal(parseRepoSpec('git@github.com:org/repo.git').url, 'git@github.com:org/repo.git');
    assert.equal(parseRepoSpec({ local_path: '..' }).path, '.');
    rejects(() => parseRepoSpec({ branch: 'main' }), /Either `local_path` or `url`/);
    rejects(() => parseRepoSpec({ url: 'x', if_exists: 'overwrite' }), /if_exists/);
    rejects(() => parseRepoSpec('.:~alice/x'), /~username/);
  });

  it('volumes: network vs instance by `/`, absolute paths without `..`, objects', () => {
    assert.equal(parseVolumeMount('data:/data').kind, 'VolumeMountPoint');
    assert.equal(parseVolumeMount('/mnt/cache:/cache').kind, 'InstanceMountPoint');
    rejects(() => parseVolumeMount({ name: 'v', path: '/d', optional: true }), /Unknown volume field `optional`/);
    rejects(() => parseVolumeMount('v'), /invalid mount point format/);
  });

  it('python: strings and YAML floats, 3.10 read as 3.1', () => {
    assert.equal(parsePythonVersion(3.1), '3.10');
    assert.equal(parsePythonVersion(3.12), '3.12');
    rejects(() => parsePythonVersion('3.8'), /not a valid PythonVersion/);
  });

  it('retry: boolean or object, normalized for the job spec', () => {
    assert.equal(normalizeRetry(false), null);
    assert.deepEqual(normalizeRetry({ duration: '30m' }), { on_events: ['no-capacity', 'interruption', 'error'], duration: 1800 });
  });

  it('interpolation: escapes, missing names, illegal and unclosed references', () => {
    assert.deepEqual(interpolate('${{ secrets.x }}/${{ env.y }}', { env: { y: 'Y' } }, ['secrets']), { result: '${{ secrets.x }}/Y', missing: [] });
    assert.deepEqual(interpolate('${{ env.a }}${{ env.b }}', {}), { result: '', missing: ['env.a', 'env.b'] });
    assert.throws(() => interpolate('${{ env.A', {}), /No pattern closing/);
    assert.deepEqual(interpolationReferences('$${{ env.A }} ${{ secrets.B }}'), ['secrets.B']);
  });

  it('cron: five fields, names, ranges, steps, bounds', () => {
    checkCron('*/15 8-18 * jan-jun mon,wed,fri');
    rejects(() => checkCron('* * * *'), /Wrong number of fields/);
    rejects(() => checkCron('0 24 * * *'), /higher than the maximum value \(23\)/);
    rejects(() => checkCron('0 0 * * funday'), /unrecognized/);
  });

  it('server defaults: vendor inference from names, image required for AMD and ARM', () => {
    assert.equal(inferGpuVendor('MI300X'), 'amd');
    assert.equal(inferGpuVendor('A10G'), 'nvidia');
    assert.equal(inferGpuVendor('v5litepod-8'), 'google');
    assert.equal(inferGpuVendor('Gaudi2'), 'intel');
    assert.equal(applyServerResourceDefaults(parseResources({ gpu: 'MI300X' }), { image: 'rocm/pytorch' }).gpu?.vendor, 'amd');
    rejects(() => applyServerResourceDefaults(parseResources({ cpu: 'arm' }), { docker: true }), /not supported on ARM/);
  });
});
