// Build time only (esbuild.mjs, through build/precompiled-validators.mjs): the module that replaces
// src/schema/ajv-validators.ts in the bundles, written by ajv's own standalone generator from the same schemas and
// options the sources compile with, so a bundle validates without compiling a schema (ajv's compiler is not in it).
import Ajv2020 from 'ajv/dist/2020';
import standaloneCode from 'ajv/dist/standalone';
import { CONFIGURATION_TYPE_NAMES } from './fields';
import type { JsonSchema } from './fields/types';
import { AJV_OPTIONS, validationSchema } from './json-schema';

/** Keywords that only annotate a schema: ajv never validates with them, and the generated code would carry them as data. */
const ANNOTATIONS = new Set(['title', 'description', 'default', 'examples', 'deprecated', '$comment']);
/** Keywords whose value is a map of subschemas. */
const SCHEMA_MAPS = new Set(['$defs', 'definitions', 'properties', 'patternProperties', 'dependentSchemas']);
/** Keywords whose value is one subschema. */
const SCHEMA_VALUES = new Set(['items', 'additionalItems', 'additionalProperties', 'unevaluatedItems', 'unevaluatedProperties',
  'contains', 'propertyNames', 'not', 'if', 'then', 'else']);
/** Keywords whose value is a list of subschemas. */
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);

/**
 * `schema` without its annotations (docs, defaults, examples, `x-` extensions), at every subschema: what ajv validates
 * with is untouched, so the errors are the same (test/build/precompiled-validators.test.ts compares them).
 */
export function withoutAnnotations(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key) || key.startsWith('x-')) continue;
    if (SCHEMA_MAPS.has(key)) out[key] = Object.fromEntries(Object.entries(value as JsonSchema).map(([name, s]) => [name, withoutAnnotations(s)]));
    else if (SCHEMA_VALUES.has(key)) out[key] = withoutAnnotations(value);
    else if (SCHEMA_LISTS.has(key)) out[key] = (value as unknown[]).map(withoutAnnotations);
    else out[key] = value;
  }
  return out;
}

/** The generated module's export name of a type's validator (ajv needs an identifier). */
const exportName = (type: string): string => `validate_${type.replace(/-/g, '_')}`;

/** The source of the module that replaces src/schema/ajv-validators.ts in the bundles: `validatorFor(type)`, precompiled. */
export function standaloneValidatorsCode(): string {
  const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true, esm: true } });
  const exports: Record<string, string> = {};
  for (const type of CONFIGURATION_TYPE_NAMES) {
    ajv.addSchema(withoutAnnotations(validationSchema(type)) as JsonSchema, type);
    exports[exportName(type)] = type;
  }
  const table = CONFIGURATION_TYPE_NAMES.map((type) => `${JSON.stringify(type)}: ${exportName(type)}`).join(', ');
  return [
    '// Generated at build time by src/schema/standalone-validators.ts (ajv standalone code); replaces src/schema/ajv-validators.ts.',
    standaloneCode(ajv, exports),
    `const VALIDATORS = { ${table} };`,
    '/** The precompiled ajv validator of one configuration type. */',
    'export function validatorFor(type) {',
    '  const v = Object.prototype.hasOwnProperty.call(VALIDATORS, type) ? VALIDATORS[type] : undefined;',
    '  if (!v) throw new Error(`No precompiled validator for configuration type ${String(type)}`);',
    '  return v;',
    '}',
    '',
  ].join('\n');
}
