// The bundles validate with ajv validators precompiled at build time (build/precompiled-validators.mjs replaces
// src/schema/ajv-validators.ts): bundled as esbuild.mjs bundles them, they hold none of ajv's compiler and report exactly
// the errors the sources' lazily compiled validators report, over the corpus and seeded mutations of it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import * as esbuild from 'esbuild';
import { parse } from 'yaml';
import { CONFIGURATION_TYPE_NAMES } from '../../src/schema';
import { validatorFor } from '../../src/schema/ajv-validators';
import type { ConfigurationType } from '../../src/schema/model';
import { exampleFiles, loadVectors, readExample } from '../schema/corpus-helpers';
import { mutate, pick, rng } from '../schema/text-mutators';
import { ROOT } from './temp-copy';

const SEED = 0x7a1d2026;
const MUTATIONS = 600;

/** What an error says: everything ajv reports without `verbose`. */
function described(validate: ValidateFunction, value: unknown): { instancePath: string; schemaPath: string; keyword: string; params: ErrorObject['params']; message: string | undefined }[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map(({ instancePath, schemaPath, keyword, params, message }) => ({ instancePath, schemaPath, keyword, params, message }));
}

describe('precompiled ajv validators (the bundles)', function () {
  this.timeout(180_000);
  let dir: string;
  let inputs: esbuild.Metafile['inputs'];
  let precompiled: (type: ConfigurationType) => ValidateFunction;

  before(async () => {
    const { precompiledValidators } = await import('../../build/precompiled-validators.mjs');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'precompiled-validators-'));
    const outfile = path.join(dir, 'validators.js');
    const result = await esbuild.build({
      absWorkingDir: ROOT, entryPoints: ['src/schema/ajv-validators.ts'], outfile, bundle: true, platform: 'node', format: 'cjs',
      target: 'node20', metafile: true, logLevel: 'silent', plugins: [precompiledValidators()],
    });
    inputs = result.metafile.inputs;
    precompiled = (require(outfile) as { validatorFor: typeof precompiled }).validatorFor;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('replace src/schema/ajv-validators.ts and bring none of ajv\'s compiler (core, compile/, 2020) along', () => {
    const replaced = inputs['src/schema/ajv-validators.ts'];
    assert.ok(replaced, `the module is bundled: ${Object.keys(inputs).join(', ')}`);
    const imports = replaced.imports.map((i) => i.path);
    assert.deepEqual(imports.filter((p) => !p.startsWith('node_modules/ajv/dist/runtime/')), [], 'it needs only ajv\'s run-time helpers');
    assert.deepEqual(Object.keys(inputs).filter((i) => /node_modules\/ajv\/dist\/(core|2020|compile\/)/.test(i)), []);
    for (const type of CONFIGURATION_TYPE_NAMES) assert.equal(typeof precompiled(type), 'function', type);
  });

  it('report exactly the errors of the runtime-compiled validators, for every type, over the corpus and seeded mutations', () => {
    const texts = exampleFiles().map(readExample);
    const values: unknown[] = texts.map((t) => parse(t) as unknown);
    for (const group of Object.values(loadVectors('dstack-vectors.configs.json'))) {
      for (const vector of group) if (vector.input !== undefined) values.push(vector.input);
    }
    const corpus = values.length;
    const r = rng(SEED);
    for (let i = 0; i < MUTATIONS; i++) {
      try {
        values.push(parse(mutate(pick(texts, r), r).text) as unknown);
      } catch {
        // not YAML any more: nothing for ajv to see
      }
    }
    let withErrors = 0;
    let clean = 0;
    values.forEach((value, i) => {
      for (const type of CONFIGURATION_TYPE_NAMES) {
        const expected = described(validatorFor(type), value);
        assert.deepEqual(described(precompiled(type), value), expected, `${i < corpus ? 'corpus' : 'mutated'} value #${i} as ${type}: ${JSON.stringify(value)?.slice(0, 300)}`);
        if (expected.length > 0) withErrors++;
        else clean++;
      }
    });
    assert.ok(corpus >= 300, `corpus values: ${corpus}`);
    assert.ok(values.length - corpus >= 300, `mutations that still parse: ${values.length - corpus} of ${MUTATIONS}`);
    assert.ok(withErrors >= 1000 && clean >= 300, `compared ${withErrors} verdicts with errors and ${clean} without`);
  });
});
