// Kubernetes resource quantities ("500m", "16Gi", "2") as numbers.

const SUFFIX: Record<string, number> = {
  m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
};

/** The quantity in base units (cores, bytes, devices); 0 when absent or unparsable. */
export function parseQuantity(q: string | number | undefined | null): number {
  if (q === undefined || q === null) return 0;
  if (typeof q === 'number') return q;
  const m = /^([0-9]+(?:\.[0-9]*)?(?:[eE][0-9]+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return 0;
  const mult = m[2] === '' ? 1 : SUFFIX[m[2] ?? ''];
  return mult === undefined ? 0 : Number(m[1]) * mult;
}

/** Bytes as GB (GiB, as dstack counts memory), rounded to 2 decimals. */
export function bytesToGB(bytes: number): number {
  return Math.round((bytes / 1024 ** 3) * 100) / 100;
}
