// Every corpus file gets dstack's verdict and every vector in both vector files is reproduced; prints the counts.
import { strict as assert } from 'node:assert';
import {
  applyServerResourceDefaults,
  checkInPlaceUpdate,
  formatDurationMultiunit,
  formatPrettyDuration,
  interpolate,
  normalizeRetry,
  parseCpuSpec,
  parseDiskSpec,
  parseDuration,
  parseEnv,
  parseFilePathMapping,
  parseGpuSpec,
  parseIdleDuration,
  parseInactivityDuration,
  parseIntRange,
  parseMemory,
  parseMemoryRange,
  parseOffDuration,
  parsePortMapping,
  parseRepoSpec,
  parseResources,
  parseVolumeMount,
  prettyResources,
  validateText,
  type Configuration,
} from '../../src/schema';
import type { DevEnvironmentConfiguration, SpotPolicy } from '../../src/schema/model';
import { spotFromPolicy } from '../../src/backends/backend';
import { devEnvironmentJobSpec, type DevEnvironmentJobSpec } from '../../src/orchestrator/job-spec/dev-environment-job';
import { ideOf } from '../../src/orchestrator/job-spec/ides';
import { planDevEnvironment } from '../../src/orchestrator/plan';
import { type Vector, errorCore, loadVectors, readExample } from './corpus-helpers';

type Runner = (v: Vector) => unknown;

/** Each field of a `dev_environment_job_commands` vector, as the job spec module (and the IDE links) produce it. */
const JOB_SPEC_FIELDS: Record<string, (spec: DevEnvironmentJobSpec, conf: DevEnvironmentConfiguration) => unknown> = {
  configuration: (_spec, conf) => Object.fromEntries(Object.entries(conf).filter(([k]) => !INJECTED_DEFAULTS.includes(k))),
  image_name: (spec) => spec.imageName,
  privileged: (spec) => spec.privileged,
  shell: (spec) => spec.shell,
  dstack_image_commands: (spec) => spec.dstackImageCommands,
  shell_commands: (spec) => spec.shellCommands,
  'job_spec_commands (entrypoint+args)': (spec) => spec.commands,
  'ide_url_example (runner reported working_dir=/dstack/run)': (_spec, conf) => ideOf(conf.ide)?.url(conf.name as string, '/dstack/run') ?? null,
  single_branch_default: (spec) => spec.singleBranch,
  max_duration_default: (spec) => spec.maxDuration,
  stop_duration_default: (spec) => spec.stopDuration,
  spot_policy_default: (spec) => spec.spotPolicy,
};

const NAMESPACES = { env: { A: '1', NGC_API_KEY: 'k' }, secrets: { hf_token: 's' }, run: { args: '--x 1' } };

function configOf(input: unknown): Configuration {
  const r = validateText(JSON.stringify(input));
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => `${d.path}: ${d.message}`).join('; '));
  return r.configuration as Configuration;
}

/** Fields the normalizer always fills (dstack's model_dump includes them too); compared only when the vector lists them. */
const INJECTED_DEFAULTS = ['env', 'resources'];

const PARSER_RUNNERS: Record<string, Runner> = {
  'duration.strict': (v) => parseDuration(v.input),
  'duration.offable': (v) => parseOffDuration(v.input),
  'duration.idle': (v) => parseIdleDuration(v.input),
  'duration.inactivity_duration': (v) => parseInactivityDuration(v.input),
  'format.pretty_duration': (v) => formatPrettyDuration(v.input as number),
  'format.duration_multiunit': (v) => formatDurationMultiunit(v.input as number),
  memory: (v) => parseMemory(v.input),
  'range.memory': (v) => parseMemoryRange(v.input),
  'range.int': (v) => parseIntRange(v.input),
  'resources.cpu': (v) => parseCpuSpec(v.input),
  'resources.gpu': (v) => parseGpuSpec(v.input),
  'resources.disk': (v) => parseDiskSpec(v.input),
  resources: (v) => {
    const parsed = parseResources(v.input);
    return { parsed, pretty_format: prettyResources(parsed) };
  },
  env: (v) => parseEnv(v.input),
  'ports[n]': (v) => parsePortMapping(v.input),
  'files[n]': (v) => parseFilePathMapping(v.input),
  'repos[n]': (v) => parseRepoSpec(v.input),
  'volumes[n]': (v) => parseVolumeMount(v.input),
  interpolation: (v) => interpolate(v.input as string, NAMESPACES),
};

function groupKey(group: string): string {
  return group.split(' ')[0] as string;
}

function check(run: Runner, v: Vector, expected: unknown, error: string | undefined): void {
  if (error !== undefined) {
    let thrown: unknown;
    try {
      run(v);
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown instanceof Error, `expected an error like ${error}`);
    const core = errorCore(error);
    if (core !== null) assert.ok(thrown.message.includes(core), `message ${JSON.stringify(thrown.message)} should contain ${JSON.stringify(core)}`);
    return;
  }
  assert.deepEqual(run(v), expected);
}

describe('dstack corpus and vectors', () => {
  const parsers = loadVectors('dstack-vectors.parsers.json');
  const configs = loadVectors('dstack-vectors.configs.json');
  let vectorsTotal = 0;
  let vectorsAgreed = 0;
  let corpusTotal = 0;
  let corpusAgreed = 0;
  const tally = (fn: () => void, kind: 'vector' | 'corpus') => {
    if (kind === 'vector') vectorsTotal++;
    else corpusTotal++;
    fn();
    if (kind === 'vector') vectorsAgreed++;
    else corpusAgreed++;
  };

  describe('parser vectors', () => {
    for (const [group, vectors] of Object.entries(parsers)) {
      const run = PARSER_RUNNERS[groupKey(group)];
      it(`${groupKey(group)}: ${vectors.length} vectors`, () => {
        assert.ok(run, `no runner for vector group ${group}`);
        vectors.forEach((v, i) => tally(() => assert.doesNotThrow(() => check(run, v, v.output, v.error), (e: Error) => { throw new Error(`#${i} ${JSON.stringify(v.input)}: ${e.message}`); }), 'vector'));
      });
    }
  });

  describe('configuration vectors', () => {
    it('dev_environment_configuration: normalized output or dstack error', () => {
      for (const v of configs['dev_environment_configuration'] ?? []) {
        tally(() => {
          const r = validateText(JSON.stringify(v.input));
          const errors = r.diagnostics.filter((d) => d.severity === 'error');
          if (v.error !== undefined) {
            assert.ok(errors.length > 0, `expected error ${v.error} for ${JSON.stringify(v.input)}`);
            const core = errorCore(v.error);
            if (core) assert.ok(errors.some((d) => d.message.includes(core)), `messages ${errors.map((d) => d.message).join(' | ')} should contain ${core}`);
            const field = /^dev-environment\.([a-z_]+)/.exec(v.error)?.[1];
            if (field) assert.ok(errors.some((d) => d.path.split(/[.[]/)[0] === field), `an error should point at \`${field}\`, got ${errors.map((d) => d.path).join(', ')}`);
            return;
          }
          assert.deepEqual(errors, [], JSON.stringify(v.input));
          const got = { ...(r.configuration as unknown as Record<string, unknown>) };
          for (const k of INJECTED_DEFAULTS) if (!(k in (v.output as object))) delete got[k];
          assert.deepEqual(got, v.output);
        }, 'vector');
      }
    });

    it('retry_normalization (JobSpec.retry)', () => {
      for (const v of configs['retry_normalization (JobSpec.retry)'] ?? []) tally(() => assert.deepEqual(normalizeRetry(v['retry']), v['job_spec_retry']), 'vector');
    });

    it('server_resource_defaults: GPU vendor inference and default-image checks', () => {
      for (const v of configs['server_resource_defaults'] ?? []) {
        tally(() => check(() => applyServerResourceDefaults(parseResources(v['resources']), { image: v['image'] as string | null, docker: v['docker'] as boolean | null }).gpu, v, v['gpu_after_defaults'], v.error), 'vector');
      }
    });

    it('in_place_update (base: inactivity_duration=1h)', () => {
      const base = { type: 'dev-environment', name: 'my-env', ide: 'vscode', inactivity_duration: '1h' };
      for (const v of configs['in_place_update (base: inactivity_duration=1h)'] ?? []) {
        tally(() => {
          const verdict = checkInPlaceUpdate(configOf(base), configOf({ ...base, ...(v['change'] as object) }));
          assert.equal(verdict.updatable, v['updatable']);
          if (v['changed_fields']) assert.deepEqual(verdict.changedFields, v['changed_fields']);
          if (v.error !== undefined) assert.equal(verdict.error, v.error);
        }, 'vector');
      }
    });

    it('dev_environment_job_commands: every field of dstack\'s job spec, from the configuration', async () => {
      for (const v of configs['dev_environment_job_commands'] ?? []) {
        const conf = configOf(v['configuration']) as DevEnvironmentConfiguration;
        const plan = await planDevEnvironment(conf, { configurationPath: 'dev.dstack.yml', envOverrides: {}, processEnv: {}, secrets: {}, backends: [] });
        tally(() => {
          assert.deepEqual(Object.keys(v).sort(), Object.keys(JOB_SPEC_FIELDS).sort(), 'every field of the vector is compared');
          const spec = devEnvironmentJobSpec(conf, conf.name as string);
          for (const [field, got] of Object.entries(JOB_SPEC_FIELDS)) assert.deepEqual(got(spec, conf), v[field], `${conf.name}: ${field}`);
          // The orchestrator's own plan applies the same policies.
          assert.equal(plan.spec.maxDuration, v['max_duration_default']);
          assert.equal(plan.requirements.spot, spotFromPolicy(v['spot_policy_default'] as SpotPolicy));
        }, 'vector');
      }
    });
  });

  describe('corpus files', () => {
    it('every repo file and docs snippet gets dstack\'s verdict', () => {
      const failures: string[] = [];
      for (const entry of configs['corpus_validation'] ?? []) {
        const file = entry['file'] as string;
        try {
          tally(() => {
            const r = validateText(readExample(file), file);
            const errors = r.diagnostics.filter((d) => d.severity === 'error');
            if (entry['valid']) {
              assert.deepEqual(errors.map((d) => `${d.path}: ${d.message}`), [], file);
              assert.equal(r.type, entry['type']);
              assert.ok(r.configuration);
            } else {
              assert.ok(errors.length > 0, `${file} should be rejected: ${String(entry.error)}`);
              assert.equal(r.configuration, null);
              // dstack names the field (`service.router: ...`); one of our errors must be about the same field.
              const field = /^[a-z-]+\.([a-z_]+)/.exec(String(entry.error))?.[1];
              if (field) assert.ok(errors.some((d) => d.path.split(/[.[]/)[0] === field || d.message.includes(`\`${field}\``)), `${file}: no error about \`${field}\` (${String(entry.error)})`);
              else assert.ok(errors.some((d) => d.message.includes(errorCore(String(entry.error)) ?? '\u0000')), `${file}: ${String(entry.error)}`);
            }
          }, 'corpus');
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
      assert.deepEqual(failures, []);
    });
  });

  after(() => {
    console.log(`      corpus agreement: ${corpusAgreed}/${corpusTotal}, vectors: ${vectorsAgreed}/${vectorsTotal}`);
  });
});
