// The backend set: `local` always (the embedded default), `fake` when DSTACK_VSC_FAKE_BACKEND names its
// state file (tests and demos). The CLI and the extension both build their backends here.

import * as path from 'node:path';
import type { Backend } from '../backends/backend';
import type { BackendId } from '../backends/offer';
import { FakeBackend } from '../backends/fake/fake-backend';
import { LocalBackend } from '../backends/local/local-backend';
import type { Clock } from './clock';
import { systemClock } from './clock';

/** The configured backends, by id. */
export function createBackends(stateDir: string, env: NodeJS.ProcessEnv, clock: Clock = systemClock): Map<BackendId, Backend> {
  const backends = new Map<BackendId, Backend>();
  backends.set('local', new LocalBackend(stateDir));
  const fakeFile = env['DSTACK_VSC_FAKE_BACKEND'];
  if (fakeFile) backends.set('fake', new FakeBackend(path.resolve(fakeFile), clock));
  return backends;
}
