// What the editor engines return: completion candidates and text edits, as plain offsets (no VS Code types).

/** What a candidate is, for the editor's icon. */
export type CandidateKind = 'property' | 'enum' | 'value' | 'gpu' | 'region' | 'variable' | 'duration';

/**
 * Where a candidate comes from. `schema` candidates are what any JSON-Schema-driven YAML editor also offers;
 * the others (offer catalog, the document itself, the host's secrets) only this extension knows.
 */
export type CandidateSource = 'schema' | 'catalog' | 'document' | 'host';

/** A 0-based, end-exclusive span of the text. */
export interface OffsetRange {
  start: number;
  end: number;
}

/** One completion candidate. */
export interface CompletionCandidate {
  label: string;
  kind: CandidateKind;
  /** Snippet syntax (`$0`, `${1|a,b|}`). */
  insertText: string;
  /** One line beside the label (the value type, the GPU's memory). */
  detail: string;
  /** Markdown from the field table or the catalog. */
  documentation: string;
  sortText: string;
  /** The text the candidate replaces. */
  range: OffsetRange;
  source: CandidateSource;
}

/** A replacement of `range` by `newText`. */
export interface TextEdit {
  range: OffsetRange;
  newText: string;
}
