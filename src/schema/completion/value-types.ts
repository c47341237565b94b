// Field-table lookups for the editor: the value type at a path, its enum values, object fields and a short label.
import { CONFIGURATION_TYPES, isConfigurationType } from '../fields';
import type { FieldSpec, FieldTable, ValueType } from '../fields/types';
import type { ConfigurationType } from '../model';

/** The configuration type to complete for: the declared one, else `dev-environment` (the extension's main use). */
export function effectiveType(declared: string | undefined): ConfigurationType {
  return isConfigurationType(declared) ? declared : 'dev-environment';
}

/** The object fields a value type offers (itself, a union branch, or a list's item type when `listItems`). */
export function fieldsOf(t: ValueType | undefined): FieldTable | undefined {
  if (!t) return undefined;
  if (t.fields) return t.fields();
  for (const b of t.branches ?? []) {
    const f = fieldsOf(b);
    if (f) return f;
  }
  return undefined;
}

/** The item type of a list (or of the list branch of a union). */
export function itemsOf(t: ValueType | undefined): ValueType | undefined {
  if (!t) return undefined;
  if (t.items) return t.items;
  for (const b of t.branches ?? []) if (b.items) return b.items;
  return undefined;
}

/** The field spec and value type at `path` (keys and list indexes) under a configuration type. */
export function specAt(type: ConfigurationType, path: readonly (string | number)[]): { spec?: FieldSpec; type: ValueType } | undefined {
  let t: ValueType | undefined = CONFIGURATION_TYPES[type];
  let spec: FieldSpec | undefined;
  for (const seg of path) {
    if (!t) return undefined;
    if (typeof seg === 'number') {
      t = itemsOf(t);
      continue;
    }
    spec = fieldsOf(t)?.[seg];
    t = spec?.type;
  }
  if (!t) return undefined;
  return spec ? { spec, type: t } : { type: t };
}

/** Enum values a value type accepts (its own, or any union branch's), without duplicates. */
export function enumValuesOf(t: ValueType | undefined): string[] {
  if (!t) return [];
  const out = new Set<string>(t.enumValues ?? []);
  for (const b of t.branches ?? []) for (const v of enumValuesOf(b)) out.add(v);
  return [...out];
}

/** Whether the type (or a branch) is an object with fields. */
export function isObjectType(t: ValueType | undefined): boolean {
  return fieldsOf(t) !== undefined && !(t?.accepts.includes('string') ?? false);
}

/** Whether the type (or a branch) is a list. */
export function isListType(t: ValueType | undefined): boolean {
  return itemsOf(t) !== undefined && !(t?.accepts.includes('string') ?? false);
}

/** Whether the type accepts booleans. */
export function acceptsBoolean(t: ValueType | undefined): boolean {
  return t?.accepts.includes('boolean') ?? false;
}
