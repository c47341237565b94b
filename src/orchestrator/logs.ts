// Where a run's output lives: the local backend streams init output to one file per instance
// (kept after the instance is gone). Other backends' logs arrive with the SSH agent.

import * as fs from 'node:fs';
import type { Backend } from '../backends/backend';
import type { BackendId } from '../backends/offer';
import { LocalBackend } from '../backends/local/local-backend';
import type { RunRecord } from './model/run';

/** Log files of every instance the run was created on, oldest submission first (existing ones only). */
export function runLogFiles(run: RunRecord, backends: ReadonlyMap<BackendId, Backend>): string[] {
  const local = backends.get('local');
  if (!(local instanceof LocalBackend)) return [];
  return run.attempts
    .filter((a) => a.outcome === 'created' && a.backend === 'local')
    .map((a) => local.logFile(`${run.id}-s${a.submission}-o${a.offerIndex}`))
    .filter((f, i, all) => all.indexOf(f) === i && fs.existsSync(f));
}
