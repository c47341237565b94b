// The shipped JSON Schema is generated from the field table and current; ajv agrees with the validator on the corpus.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { configurationSchemaText, validateText } from '../../src/schema';
import { schemaErrors } from '../../src/schema/schema-errors';
import { loadVectors, readExample } from './corpus-helpers';

describe('generated JSON schema', () => {
  it('schemas/configuration.schema.json is current (run `npm run schema:generate` after changing src/schema/fields)', () => {
    const shipped = readFileSync(join(__dirname, '..', '..', 'schemas', 'configuration.schema.json'), 'utf8');
    assert.equal(shipped, configurationSchemaText());
  });

  it('is draft 2020-12, dispatches on `type`, keeps docs and defaults per property', () => {
    const schema = JSON.parse(configurationSchemaText()) as Record<string, any>;
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.deepEqual(schema.properties.type.enum, ['dev-environment', 'task', 'service', 'fleet', 'gateway', 'volume', 'preset']);
    const dev = schema.$defs.DevEnvironmentConfiguration;
    assert.equal(dev.additionalProperties, false);
    assert.match(dev.properties.inactivity_duration.description, /inactive/);
    assert.equal(dev.properties.inactivity_duration['x-dstack-updatable'], true);
    assert.deepEqual(dev.properties.ide.anyOf[0].enum, ['vscode', 'cursor', 'windsurf', 'zed']);
    assert.ok(schema.$defs.SSHParams.properties.hosts, 'fleet ssh_config is described');
  });

  it('ajv accepts every corpus file dstack accepts (the schema and the walker agree)', () => {
    const corpus = loadVectors('dstack-vectors.configs.json')['corpus_validation'] ?? [];
    let checked = 0;
    for (const entry of corpus.filter((e) => e['valid'])) {
      const file = entry['file'] as string;
      const data = parse(readExample(file)) as Record<string, unknown>;
      assert.deepEqual(schemaErrors(data['type'] as never, data), [], file);
      checked++;
    }
    assert.equal(checked, 296);
  });

  it('ajv rejects what the schema can express: unknown keys, wrong types, enum values', () => {
    for (const bad of [{ type: 'dev-environment', idle: 1 }, { type: 'dev-environment', init: 'echo' }, { type: 'dev-environment', spot_policy: 'spotty' }]) {
      assert.ok(schemaErrors('dev-environment', bad).length > 0, JSON.stringify(bad));
      assert.ok(validateText(JSON.stringify(bad)).diagnostics.some((d) => d.severity === 'error'));
    }
  });
});
