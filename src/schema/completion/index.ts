// Public API of the editor engines for `.dstack.yml` (completion, hover, quick fixes, the Apply lens): pure
// functions over text and offsets, used by src/vscode/language and the benchmark.
export type { CandidateKind, CandidateSource, CompletionCandidate, OffsetRange, TextEdit } from './candidate';
export { completeAt, type CompletionOptions } from './complete';
export { hoverAt, type HoverInfo } from './hover';
export { quickFixesFor, fixDurationUnit, type FixableDiagnostic, type QuickFix, type QuickFixKind } from './quick-fixes';
export {
  applyLensRequest, applyLensSummary, gpuSummary, listingFailedSummary, listingSummary, pricePerHourText, summarizeOffers,
  type ApplyLensRequest, type ApplyLensStatus, type ApplyLensSummary,
} from './apply-lens';
export { candidatesBesideYamlExtension, YAML_EXTENSION_ID } from './yaml-extension';
