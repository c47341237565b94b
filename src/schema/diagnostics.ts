// Diagnostic codes and the issue record the validator collects before positions are attached.

/** Every diagnostic code the language core emits (stable: editors and tests match on them). */
export type DiagnosticCode =
  | 'yaml-syntax'
  | 'yaml-warning'
  | 'duplicate-key'
  | 'extra-document'
  | 'empty-file'
  | 'not-a-mapping'
  | 'missing-type'
  | 'unknown-type'
  | 'unknown-field'
  | 'missing-field'
  | 'wrong-type'
  | 'invalid-enum'
  | 'out-of-range'
  | 'invalid-value'
  | 'conflict'
  | 'interpolation'
  | 'schema'
  | 'file-unreadable'
  | 'internal-error';

/** A path into the configuration: keys and list indexes. */
export type FieldPath = readonly (string | number)[];

/** A problem found before source positions are attached; `target: 'key'` highlights the key instead of the value. */
export interface Issue {
  path: FieldPath;
  code: DiagnosticCode;
  message: string;
  severity: 'error' | 'warning';
  target?: 'key' | 'value';
}

/** Renders a path the way users write it: `resources.gpu`, `env[2]`, `ports[0]`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}
