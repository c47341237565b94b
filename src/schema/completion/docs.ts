// Markdown for completion documentation and hover, from the field table.
import type { FieldSpec } from '../fields/types';
import { stringify } from 'yaml';

/** The documentation of one property: doc, type, default, example, and whether it updates in place. */
export function fieldMarkdown(key: string, spec: FieldSpec): string {
  const byKey = cache.get(spec);
  const cached = byKey?.get(key);
  if (cached !== undefined) return cached;
  const text = render(key, spec);
  if (byKey) byKey.set(key, text);
  else cache.set(spec, new Map([[key, text]]));
  return text;
}

const cache = new WeakMap<FieldSpec, Map<string, string>>();

function render(key: string, spec: FieldSpec): string {
  const parts = [`**${key}**: ${spec.type.label}`, '', spec.doc || spec.type.expect];
  if (spec.deprecated !== undefined) parts.push('', `Deprecated: ${spec.deprecated}.`);
  parts.push('', `Type: ${spec.type.expect}`);
  if (spec.default !== undefined) parts.push('', `Default: \`${JSON.stringify(spec.default)}\``);
  if (spec.example !== undefined) parts.push('', 'Example:', '```yaml', stringify({ [key]: spec.example }).trimEnd(), '```');
  if (spec.updatable) parts.push('', 'Can be changed on a running dev environment (in place).');
  return parts.join('\n');
}
