// Kubernetes resource quantities ("500m", "16Gi", "2") as numbers, for the fake API server's scheduler.

const SUFFIX: Record<string, number> = {
  m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5,
};

/** The quantity's value in base units (cores, bytes, devices); NaN when it does not parse. */
export function parseQuantity(q: string | number | undefined): number {
  if (q === undefined) return 0;
  if (typeof q === 'number') return q;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return Number.NaN;
  const mult = m[2] === '' ? 1 : SUFFIX[m[2] ?? ''];
  return mult === undefined ? Number.NaN : Number(m[1]) * mult;
}
