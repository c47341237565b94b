// Seeded fuzz: thousands of mutations of corpus files; validateText never throws and every range is inside the text.
import { strict as assert } from 'node:assert';
import { validateText, type SchemaDiagnostic } from '../../src/schema';
import { exampleFiles, readExample } from './corpus-helpers';
import { MUTATORS, mutate, pick, rng } from './text-mutators';

const SEED = 0x5eed2026;
const MUTATIONS = 6000;

function lineCol(text: string, offset: number): [number, number] {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return [line, offset - (before.lastIndexOf('\n') + 1) + 1];
}

function checkRanges(text: string, diagnostics: SchemaDiagnostic[]): void {
  for (const d of diagnostics) {
    assert.ok(d.offset >= 0 && d.offset <= d.endOffset && d.endOffset <= text.length, `range ${d.offset}..${d.endOffset} outside ${text.length}`);
    assert.deepEqual([d.line, d.column], lineCol(text, d.offset), 'start line/column');
    assert.deepEqual([d.endLine, d.endColumn], lineCol(text, d.endOffset), 'end line/column');
    assert.ok(d.message.length > 0 && d.code.length > 0);
    assert.notEqual(d.code, 'internal-error', d.message);
  }
}

describe('fuzz (seeded)', () => {
  it(`${MUTATIONS} mutations of corpus files: no exception escapes, every range lies inside its document`, function () {
    this.timeout(180_000);
    const texts = exampleFiles().map(readExample);
    const r = rng(SEED);
    const names = Object.keys(MUTATORS);
    const perKind: Record<string, number> = {};
    for (let i = 0; i < MUTATIONS; i++) {
      const { text, applied } = mutate(pick(texts, r), r);
      for (const name of applied) perKind[name] = (perKind[name] ?? 0) + 1;
      let result;
      try {
        result = validateText(text);
      } catch (e) {
        assert.fail(`mutation #${i} (${applied.join('+')}) threw: ${(e as Error).message}\n${JSON.stringify(text)}`);
      }
      try {
        checkRanges(text, result.diagnostics);
      } catch (e) {
        assert.fail(`mutation #${i} (${applied.join('+')}): ${(e as Error).message}\n${JSON.stringify(text)}`);
      }
    }
    assert.equal(Object.keys(perKind).length, names.length, 'every mutator ran');
  });
});
