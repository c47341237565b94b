// Seeded text mutations of corpus configurations, shared by the fuzz test and the precompiled-validator comparison.

/** A deterministic PRNG (mulberry32-style), so every run sees the same mutations. */
export function rng(seed: number): () => number {
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

/** One mutation of a configuration text. */
export type Mutator = (text: string, r: () => number) => string;
/** A seeded pick from a list. */
export const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)] as T;

/** The mutations by name: byte flips, line edits, key renames, type swaps, truncation, YAML garbage. */
export const MUTATORS: Record<string, Mutator> = {
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

/** `text` after 1 to 3 seeded mutations, with the names of those applied in order. */
export function mutate(text: string, r: () => number): { text: string; applied: string[] } {
  const names = Object.keys(MUTATORS);
  const rounds = 1 + Math.floor(r() * 3);
  const applied: string[] = [];
  for (let k = 0; k < rounds; k++) {
    const name = pick(names, r);
    text = (MUTATORS[name] as Mutator)(text, r);
    applied.push(name);
  }
  return { text, applied };
}
