// A fake nvidia-smi on PATH for tests: test/harness/fake-nvidia-smi copied into a temp dir with its
// fake-gpus.tsv table beside it (the script reads the table next to itself).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** One fake GPU: name, memory total/used in MiB, utilization percent. */
export interface FakeGpu {
  name: string;
  totalMiB: number;
  usedMiB: number;
  util: number;
}

/** Creates the dir (put it first on PATH) holding `nvidia-smi` for `gpus`; no table when `gpus` is null (nvidia-smi fails as without a driver). */
export function fakeNvidiaSmiDir(gpus: FakeGpu[] | null): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dstack-vsc-nvsmi-'));
  fs.copyFileSync(path.resolve(__dirname, 'fake-nvidia-smi'), path.join(dir, 'nvidia-smi'));
  fs.chmodSync(path.join(dir, 'nvidia-smi'), 0o755);
  if (gpus) {
    const rows = gpus.map((g, i) => [g.name, g.totalMiB, g.usedMiB, g.util, `GPU-fake-${i}`, '550.54.15', `00000000:0${i}:00.0`].join('\t'));
    fs.writeFileSync(path.join(dir, 'fake-gpus.tsv'), `${rows.join('\n')}\n`);
  }
  return dir;
}
