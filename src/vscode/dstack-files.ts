// Which files are dstack configurations: `*.dstack.yml`, `*.dstack.yaml` and `.dstack.yml`.
import * as path from 'node:path';

/** The file-name rule shared by diagnostics, the apply command and package.json's `when` clauses. */
export const DSTACK_FILE_PATTERN = /\.dstack\.ya?ml$/;

/** True when the file name (or path) names a dstack configuration file. */
export function isDstackFile(fileName: string): boolean {
  return DSTACK_FILE_PATTERN.test(path.basename(fileName));
}
