// ajv's verdict on a configuration object, beside the field-table walk (src/schema/validate.ts).
import type { ErrorObject } from 'ajv';
import { validatorFor } from './ajv-validators';
import type { ConfigurationType } from './model';

/** Runs ajv for `type` on `value`; returns its errors (empty when valid). */
export function schemaErrors(type: ConfigurationType, value: unknown): ErrorObject[] {
  const v = validatorFor(type);
  return v(value) ? [] : (v.errors ?? []);
}
