// Reading EC2 Query-protocol parameters (`Filter.1.Name=...&Filter.1.Value.1=...`).

/** The form parameters of one request. */
export type QueryParams = ReadonlyMap<string, string>;

/** Parses a form-encoded body. */
export function parseQuery(body: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
  return params;
}

/** The values of a `.N` list (`prefix.1`, `prefix.2`, ...), in order. */
export function listOf(params: QueryParams, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i++) out.push(params.get(`${prefix}.${i}`) ?? '');
  return out;
}

/** The indexes present for a `.N` list of structures (`prefix.1.X`, `prefix.2.X`, ...). */
export function indexesOf(params: QueryParams, prefix: string): string[] {
  const seen = new Set<number>();
  for (const key of params.keys()) {
    if (!key.startsWith(`${prefix}.`)) continue;
    const n = Number(key.slice(prefix.length + 1).split('.')[0]);
    if (Number.isInteger(n)) seen.add(n);
  }
  return [...seen].sort((a, b) => a - b).map((n) => `${prefix}.${n}`);
}

/** `Filter.N.Name` / `Filter.N.Value.M` as a name → values map. */
export function filtersOf(params: QueryParams): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  for (const f of indexesOf(params, 'Filter')) {
    const name = params.get(`${f}.Name`);
    if (name) filters.set(name, listOf(params, `${f}.Value`));
  }
  return filters;
}

/** Matches EC2's filter wildcards (`*` any run, `?` one character). */
export function wildcardMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
  return re.test(value);
}
