// Working beside redhat.vscode-yaml: it completes from our JSON schema (contributed via `yamlValidation`), so
// when it is active we offer only what a schema cannot know, and nothing twice.
import type { FieldSpec, ValueType } from '../fields/types';
import type { CompletionCandidate } from './candidate';
import { acceptsBoolean, enumValuesOf } from './value-types';

/** The extension id of Red Hat's YAML extension (yaml-language-server). */
export const YAML_EXTENSION_ID = 'redhat.vscode-yaml';

/** The candidates to return: all of them alone, only catalog/document/host ones when the YAML extension is active. */
export function candidatesBesideYamlExtension(candidates: readonly CompletionCandidate[], yamlExtensionActive: boolean): CompletionCandidate[] {
  return yamlExtensionActive ? candidates.filter((c) => c.source !== 'schema') : [...candidates];
}


/**
 * The values a JSON-Schema-driven editor (yaml-language-server) offers for a whole value of a property, as labels:
 * the property's `default` and `examples` (both written into the schema from the field table), its enum values,
 * `true`/`false` for booleans and `null` for nullable types.
 */
export function schemaOfferedValues(spec: FieldSpec | undefined, t: ValueType): Set<string> {
  const out = new Set<string>(enumValuesOf(t));
  for (const v of [spec?.default, spec?.example]) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.add(String(v));
  }
  if (acceptsBoolean(t)) for (const b of ['true', 'false']) out.add(b);
  if (t.accepts.includes('null')) out.add('null');
  return out;
}
