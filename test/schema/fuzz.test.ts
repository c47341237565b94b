// Seeded fuzz: thousands of mutations of corpus files; validateText never throws and every range is inside the text.
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateText, type SchemaDiagnostic } from '../../src/schema';
import { EXAMPLES_DIR, readExample } from './corpus-helpers';

const SEED = 0x5eed2026;
const MUTATIONS = 6000;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SWAPS = ['[]', '{}', '123', 'true', 'null', '"x"', '-1', '1e999', '99999999999999999999999', '~', '[1, [2, {a: b}]]', '*x', '&x v', '!!binary AAAA', "'", '"\\u0000"'];
const KEYS = ['type', 'ide', 'resources', 'gpu', 'env', 'ports', 'inactivity_duration', 'image', 'python', 'docker', 'repos', 'retry', 'commands', 'ssh_config', 'hosts'];
const GARBAGE = ['\t', '\u0000', '\uffff', '\ud800', ':', '- ', '{', ']', '"', '#', '&a', '*a', '---\n', '...', '${{', '\r', '\u2028', '%YAML 1.1\n', '? '];

type Mutator = (text: string, r: () => number) => string;
const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)] as T;

const MUTATORS: Record<string, Mutator> = {
  byteFlip: (t, r) => {
    if (!t) return t;
    const i = Math.floor(r() * t.length);
    return t.slice(0, i) + String.fromCharCode(Math.floor(r() * 256)) + t.slice(i + 1);
  },
  deleteLine: (t, r) => {
    const lines = t.split('\n');
    lines.splice(Math.floor(r() * lines.length), 1);
    return lines.join('\n');
  },
  duplicateLine: (t, r) => {
    const lines = t.split('\n');
    const i = Math.floor(r() * lines.length);
    lines.splice(i, 0, lines[i] ?? '');
    return lines.join('\n');
  },
  indent: (t, r) => {
    const lines = t.split('\n');
    const i = Math.floor(r() * lines.length);
    lines[i] = r() < 0.5 ? `${' '.repeat(1 + Math.floor(r() * 4))}${lines[i]}` : (lines[i] ?? '').replace(/^\s{1,2}/, '');
    return lines.join('\n');
  },
  renameKey: (t, r) => t.replace(/^(\s*)([a-z_]+):/m, (_m, sp: string, k: string) => `${sp}${r() < 0.5 ? pick(KEYS, r) : `${k}x`}:`),
  typeSwap: (t, r) => {
    const lines = t.split('\n');
    const i = Math.floor(r() * lines.length);
    lines[i] = (lines[i] ?? '').replace(/:\s.*$/, `: ${pick(SWAPS, r)}`);
    return lines.join('\n');
  },
  truncate: (t, r) => t.slice(0, Math.floor(r() * t.length)),
  garbage: (t, r) => {
    const i = Math.floor(r() * (t.length + 1));
    return t.slice(0, i) + pick(GARBAGE, r) + t.slice(i);
  },
};

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
    const files = [
      ...readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml')),
      ...readdirSync(join(EXAMPLES_DIR, 'docs-snippets')).filter((f) => f.endsWith('.yml')).map((f) => `docs-snippets/${f}`),
    ];
    const texts = files.map(readExample);
    const r = rng(SEED);
    const names = Object.keys(MUTATORS);
    const perKind: Record<string, number> = {};
    for (let i = 0; i < MUTATIONS; i++) {
      let text = pick(texts, r);
      const rounds = 1 + Math.floor(r() * 3);
      const applied: string[] = [];
      for (let k = 0; k < rounds; k++) {
        const name = pick(names, r);
        text = (MUTATORS[name] as Mutator)(text, r);
        applied.push(name);
        perKind[name] = (perKind[name] ?? 0) + 1;
      }
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
