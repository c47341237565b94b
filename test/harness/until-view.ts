// Polls a backend's `refresh` until one instance's view satisfies a test's condition.

import { strict as assert } from 'node:assert';
import type { Backend, ProviderInstance } from '../../src/backends/backend';

/** The first view of `id` for which `ok` holds, refreshing every 200 ms; fails naming `what` and the last view. */
export async function untilView(backend: Pick<Backend, 'refresh'>, id: string, ok: (v: ProviderInstance) => boolean, what: string, tries = 150): Promise<ProviderInstance> {
  let v: ProviderInstance | undefined;
  for (let i = 0; i < tries; i++) {
    [v] = await backend.refresh([id]);
    if (v && ok(v)) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${what}: last view ${JSON.stringify(v)}`);
}
