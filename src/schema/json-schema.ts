// Generates the JSON Schema (draft 2020-12) from the field table: the shipped file, and what ajv validates each type with.
import type { Options } from 'ajv';
import { CONFIGURATION_TYPES, CONFIGURATION_TYPE_NAMES } from './fields';
import type { JsonSchema } from './fields/types';
import type { ConfigurationType } from './model';

let cachedDefs: Map<string, JsonSchema> | undefined;
const rootRefs = new Map<ConfigurationType, JsonSchema>();

function definitions(): Map<string, JsonSchema> {
  if (!cachedDefs) {
    const defs = new Map<string, JsonSchema>();
    for (const t of CONFIGURATION_TYPE_NAMES) rootRefs.set(t, CONFIGURATION_TYPES[t].schema(defs));
    cachedDefs = defs;
  }
  return cachedDefs;
}

function sortedDefs(): Record<string, JsonSchema> {
  const defs = definitions();
  return Object.fromEntries([...defs.keys()].sort().map((k) => [k, defs.get(k) as JsonSchema]));
}

/** The whole configuration schema, as shipped in `schemas/configuration.schema.json`. */
export function buildConfigurationSchema(): JsonSchema {
  const $defs = sortedDefs();
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://vscode-dstack.invalid/schemas/configuration.schema.json',
    title: 'dstack configuration (.dstack.yml)',
    description: 'Generated from the vscode-dstack field table (src/schema/fields); regenerate with `npm run schema:generate`.',
    type: 'object',
    required: ['type'],
    properties: { type: { enum: [...CONFIGURATION_TYPE_NAMES], description: 'The configuration type' } },
    allOf: CONFIGURATION_TYPE_NAMES.map((t) => ({ if: { properties: { type: { const: t } }, required: ['type'] }, then: rootRefs.get(t) })),
    additionalProperties: true,
    $defs,
  };
}

/** The text written to `schemas/configuration.schema.json`. */
export function configurationSchemaText(): string {
  return `${JSON.stringify(buildConfigurationSchema(), null, 2)}\n`;
}

/**
 * ajv's options for the validators, the same where the sources compile them (src/schema/ajv-validators.ts) and where
 * the build precompiles them (src/schema/standalone-validators.ts), so both report the same errors.
 */
export const AJV_OPTIONS: Readonly<Options> = { allErrors: true, strict: false, validateFormats: false };

/** The schema ajv validates a `type` configuration with: the type's root and every definition. */
export function validationSchema(type: ConfigurationType): JsonSchema {
  const $defs = sortedDefs();
  return { ...(rootRefs.get(type) as JsonSchema), $defs };
}
