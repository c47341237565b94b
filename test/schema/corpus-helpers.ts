// Loads the dstack corpus and test vectors copied into test/fixtures/corpus (never from /work/shared).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Root of the copied corpus. */
export const CORPUS_DIR = join(__dirname, '..', 'fixtures', 'corpus');
/** The example files and docs snippets. */
export const EXAMPLES_DIR = join(CORPUS_DIR, 'dstack-examples');

/** One vector: an input with either the expected output or dstack's error text. */
export interface Vector {
  input?: unknown;
  output?: unknown;
  error?: string;
  [key: string]: unknown;
}

/** Reads one of the two vector files as `{group: vectors}` (without `_meta`). */
export function loadVectors(file: 'dstack-vectors.configs.json' | 'dstack-vectors.parsers.json'): Record<string, Vector[]> {
  const all = JSON.parse(readFileSync(join(CORPUS_DIR, file), 'utf8')) as Record<string, unknown>;
  delete all['_meta'];
  return all as Record<string, Vector[]>;
}

/** The part of dstack's error text our message must contain (`Value error, X` → `X`), or null for pydantic type errors. */
export function errorCore(error: string): string | null {
  const m = /(?:Value error, |ValueError: |InterpolatorError: |ServerClientError: )([^;]*)/.exec(error);
  return m ? (m[1] as string).trim() : null;
}

/** The text of an example or snippet file. */
export function readExample(file: string): string {
  return readFileSync(join(EXAMPLES_DIR, file), 'utf8');
}

/** Every example and docs-snippet configuration file, relative to EXAMPLES_DIR. */
export function exampleFiles(): string[] {
  return [
    ...readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml')),
    ...readdirSync(join(EXAMPLES_DIR, 'docs-snippets')).filter((f) => f.endsWith('.yml')).map((f) => `docs-snippets/${f}`),
  ];
}
