// Where a run's output lives: one file per instance on this machine, kept after the instance is gone:
// the local backend streams init output into it, the SSH hosts backend appends the agent's init log on
// every refresh. Any backend with a `logFile(instanceId)` method takes part.

import * as fs from 'node:fs';
import type { Backend } from '../backends/backend';
import type { BackendId } from '../backends/offer';
import { attemptInstanceId, type RunRecord } from './model/run';
import type { EventBus } from './events';

/**
 * Log files of every instance the run was on (created for it or reused), oldest submission first (existing ones
 * only). The run id lets a backend whose instances serve several runs in turn keep each run's output apart.
 */
export function runLogFiles(run: RunRecord, backends: ReadonlyMap<BackendId, Backend>): string[] {
  const files: string[] = [];
  for (const a of run.attempts) {
    if (a.outcome !== 'created') continue;
    const b = backends.get(a.backend) as (Backend & { logFile?: (instanceId: string, runId?: string) => string }) | undefined;
    if (typeof b?.logFile === 'function') files.push(b.logFile(attemptInstanceId(run.id, a), run.id));
  }
  return files.filter((f, i, all) => all.indexOf(f) === i && fs.existsSync(f));
}

/** Reads what was appended to a run's log files since the last poll, and emits it as `log` events. */
export class LogFollower {
  private readonly offsets = new Map<string, number>();
  private partial = '';

  constructor(private readonly backends: ReadonlyMap<BackendId, Backend>, private readonly events?: EventBus) {}

  /** New output of `run` since the last call (raw text); complete lines also go out as `log` events. */
  poll(run: RunRecord): string {
    let text = '';
    for (const file of runLogFiles(run, this.backends)) {
      const from = this.offsets.get(file) ?? 0;
      const size = fs.statSync(file).size;
      if (size <= from) continue;
      const fd = fs.openSync(file, 'r');
      try {
        const buf = Buffer.alloc(size - from);
        fs.readSync(fd, buf, 0, buf.length, from);
        text += buf.toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
      this.offsets.set(file, size);
    }
    if (this.events && text) {
      const lines = (this.partial + text).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) this.events.emit({ kind: 'log', run: run.name, line });
    }
    return text;
  }
}
