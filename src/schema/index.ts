// Public API of the `.dstack.yml` language core. Other modules import from here only.
export { validateText } from './validate';
export type { SchemaDiagnostic, ValidationResult } from './validate';
export type { DiagnosticCode, FieldPath } from './diagnostics';
export { formatPath } from './diagnostics';
export { GrammarError } from './grammar/grammar-error';
export {
  parseDuration,
  parseOffDuration,
  parseIdleDuration,
  parseInactivityDuration,
  formatPrettyDuration,
  formatDurationMultiunit,
} from './grammar/duration';
export { parseMemory, parseMemoryRange, parseIntRange, formatMemory, formatRange } from './grammar/memory';
export {
  parseCpuSpec,
  parseGpuSpec,
  parseDiskSpec,
  parseResources,
  prettyResources,
  defaultResources,
  GPU_VENDOR_ALIASES,
} from './grammar/resources';
export { parseEnv, resolveEnv } from './grammar/env';
export type { ResolvedEnv } from './grammar/env';
export { parsePortMapping } from './grammar/ports';
export { parseFilePathMapping, parseVolumeMount } from './grammar/mounts';
export { parseRepoSpec } from './grammar/repos';
export { parsePythonVersion, parseEntityReference, PYTHON_VERSIONS } from './grammar/scalars';
export { checkCron } from './grammar/cron';
export { interpolate, interpolationReferences, InterpolatorError } from './grammar/interpolation';
export type { InterpolationNamespaces, InterpolationResult } from './grammar/interpolation';
export { inferGpuVendor, applyServerResourceDefaults, normalizeRetry, checkInPlaceUpdate } from './server-defaults';
export type { ImageChoice, InPlaceUpdateVerdict } from './server-defaults';
export { CONFIGURATION_TYPES, CONFIGURATION_TYPE_NAMES, fieldsAt, propertyAt, isConfigurationType } from './fields';
export type { FieldSpec, ValueType } from './fields/types';
export { buildConfigurationSchema, configurationSchemaText } from './json-schema';
export type * from './model';
