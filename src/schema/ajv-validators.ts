// The ajv validator of each configuration type. Here, in the sources (tests run them through tsx), ajv compiles it on
// first use. The bundles never run this file: esbuild.mjs replaces it with the code ajv's standalone generator wrote
// from the same schemas at build time (src/schema/standalone-validators.ts), so they hold no schema compiler at all.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { AJV_OPTIONS, validationSchema } from './json-schema';
import type { ConfigurationType } from './model';

let ajv: Ajv2020 | undefined;
const validators = new Map<ConfigurationType, ValidateFunction>();

/** The ajv validator of one configuration type (compiled on first use). */
export function validatorFor(type: ConfigurationType): ValidateFunction {
  let v = validators.get(type);
  if (!v) {
    ajv ??= new Ajv2020(AJV_OPTIONS);
    v = ajv.compile(validationSchema(type));
    validators.set(type, v);
  }
  return v;
}
